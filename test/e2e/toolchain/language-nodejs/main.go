// Command pulumi-language-nodejs is a small Node.js language host for the
// Pulumi engine, written for kupcake's toolchain because the upstream host's
// Go module is not served by the module proxy this project can reach.
//
// It covers what `pulumi preview/up/destroy/refresh` and Node.js policy
// packs need: it runs the program through the @pulumi/pulumi package that
// the program itself depends on (cmd/run, cmd/run-policy-pack,
// cmd/run-plugin), passing settings the way that package reads them
// (command-line flags plus PULUMI_CONFIG* and PULUMI_NODEJS_* variables).
// Code generation, program conversion and `pulumi new` templates are not
// implemented.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"
)

// version is set by toolchain.sh with -ldflags "-X main.version=...".
var version = "3.248.0"

// Exit code @pulumi/pulumi's runners use after they already showed the
// user an error: the engine should stop without adding its own message.
const exitAfterLoggedError = 32

type host struct {
	pulumirpc.UnimplementedLanguageRuntimeServer
	engine string
}

func main() {
	var engine string
	args := os.Args[1:]
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--tracing" || a == "-tracing" || a == "-root" || a == "--root":
			i++ // flag with a separate value; not used here
		case strings.HasPrefix(a, "-"):
			// --logtostderr, -v=N, -tracing=URL, ...: accepted and ignored.
		default:
			engine = a
		}
	}
	h := &host{engine: engine}
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Init: func(s *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(s, h)
			return nil
		},
		Options: rpcutil.OpenTracingServerInterceptorOptions(nil),
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-language-nodejs: %v\n", err)
		os.Exit(1)
	}
	// The engine reads the port from the first line of standard output.
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-language-nodejs: %v\n", err)
		os.Exit(1)
	}
}

func (h *host) Handshake(_ context.Context, req *pulumirpc.LanguageHandshakeRequest,
) (*pulumirpc.LanguageHandshakeResponse, error) {
	if req.GetEngineAddress() != "" {
		h.engine = req.GetEngineAddress()
	}
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

func (h *host) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version}, nil
}

// pulumiPackage is the "pulumi" block of a package.json that ships a provider.
type pulumiPackage struct {
	Resource bool   `json:"resource"`
	Name     string `json:"name"`
	Version  string `json:"version"`
	Server   string `json:"server"`
}

// providerPackages lists the resource plugins that packages under
// dir/node_modules (top level and one scope level deep) declare.
func providerPackages(dir string) []*pulumirpc.PluginDependency {
	var out []*pulumirpc.PluginDependency
	seen := map[string]bool{}
	for d := dir; ; d = filepath.Dir(d) {
		nm := filepath.Join(d, "node_modules")
		var pkgDirs []string
		entries, _ := os.ReadDir(nm)
		for _, e := range entries {
			p := filepath.Join(nm, e.Name())
			if strings.HasPrefix(e.Name(), "@") {
				sub, _ := os.ReadDir(p)
				for _, s := range sub {
					pkgDirs = append(pkgDirs, filepath.Join(p, s.Name()))
				}
			} else {
				pkgDirs = append(pkgDirs, p)
			}
		}
		for _, p := range pkgDirs {
			b, err := os.ReadFile(filepath.Join(p, "package.json"))
			if err != nil {
				continue
			}
			var pj struct {
				Name    string         `json:"name"`
				Version string         `json:"version"`
				Pulumi  *pulumiPackage `json:"pulumi"`
			}
			if json.Unmarshal(b, &pj) != nil || pj.Pulumi == nil || !pj.Pulumi.Resource {
				continue
			}
			name := pj.Pulumi.Name
			if name == "" {
				name = strings.TrimPrefix(pj.Name, "@pulumi/")
			}
			ver := pj.Pulumi.Version
			if ver == "" {
				ver = pj.Version
			}
			if ver != "" && !strings.HasPrefix(ver, "v") {
				ver = "v" + ver
			}
			if seen[name+"@"+ver] {
				continue
			}
			seen[name+"@"+ver] = true
			out = append(out, &pulumirpc.PluginDependency{
				Name: name, Kind: "resource", Version: ver, Server: pj.Pulumi.Server,
			})
		}
		if filepath.Dir(d) == d {
			break
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func (h *host) GetRequiredPlugins(_ context.Context, req *pulumirpc.GetRequiredPluginsRequest,
) (*pulumirpc.GetRequiredPluginsResponse, error) {
	dir := req.GetInfo().GetProgramDirectory()
	if dir == "" {
		dir = req.GetProgram() //nolint:staticcheck // older engines
	}
	return &pulumirpc.GetRequiredPluginsResponse{Plugins: providerPackages(dir)}, nil
}

func (h *host) GetRequiredPackages(_ context.Context, req *pulumirpc.GetRequiredPackagesRequest,
) (*pulumirpc.GetRequiredPackagesResponse, error) {
	var pkgs []*pulumirpc.PackageDependency
	for _, p := range providerPackages(req.GetInfo().GetProgramDirectory()) {
		pkgs = append(pkgs, &pulumirpc.PackageDependency{
			Name: p.Name, Kind: p.Kind, Version: p.Version, Server: p.Server,
		})
	}
	return &pulumirpc.GetRequiredPackagesResponse{Packages: pkgs}, nil
}

// option reads a runtime option from Pulumi.yaml (runtime.options).
func option(opts *structpb.Struct, key string) (*structpb.Value, bool) {
	if opts == nil {
		return nil, false
	}
	v, ok := opts.GetFields()[key]
	return v, ok
}

func optionString(opts *structpb.Struct, key string) string {
	v, ok := option(opts, key)
	if !ok {
		return ""
	}
	switch k := v.GetKind().(type) {
	case *structpb.Value_StringValue:
		return k.StringValue
	case *structpb.Value_BoolValue:
		return strconv.FormatBool(k.BoolValue)
	case *structpb.Value_NumberValue:
		return strconv.FormatFloat(k.NumberValue, 'f', -1, 64)
	}
	return ""
}

// resolve finds module (e.g. "@pulumi/pulumi/cmd/run") as Node would from dir.
func resolve(dir, module string) (string, error) {
	cmd := exec.Command("node", "-e", "process.stdout.write(require.resolve(process.argv[1]))", module)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("cannot find module %q from %s (is @pulumi/pulumi installed? "+
			"run npm install): %v: %s", module, dir, err, strings.TrimSpace(stderr.String()))
	}
	return string(out), nil
}

func nodeArgs(opts *structpb.Struct) []string {
	return strings.Fields(optionString(opts, "nodeargs"))
}

func exitCode(err error) (int, bool) {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return 128 + int(ws.Signal()), true
		}
		return ee.ExitCode(), true
	}
	return 0, false
}

func (h *host) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	info := req.GetInfo()
	opts := info.GetOptions()
	progDir := info.GetProgramDirectory()
	if progDir == "" {
		progDir = req.GetPwd()
	}
	entry := info.GetEntryPoint()
	if entry == "" {
		entry = req.GetProgram() //nolint:staticcheck // older engines
	}
	if entry == "" {
		entry = "."
	}
	runner, err := resolve(progDir, "@pulumi/pulumi/cmd/run")
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}

	args := append(nodeArgs(opts), runner)
	add := func(flag, v string) {
		if v != "" {
			args = append(args, "--"+flag+"="+v)
		}
	}
	add("monitor", req.GetMonitorAddress())
	add("engine", h.engine)
	add("organization", req.GetOrganization())
	add("project", req.GetProject())
	add("stack", req.GetStack())
	add("root-directory", info.GetRootDirectory())
	add("pwd", req.GetPwd())
	if req.GetParallel() > 1 {
		add("parallel", strconv.Itoa(int(req.GetParallel())))
	}
	if req.GetDryRun() {
		args = append(args, "--dry-run")
	}
	args = append(args, entry)
	args = append(args, req.GetArgs()...)

	cfg, err := json.Marshal(req.GetConfig())
	if err != nil {
		return nil, err
	}
	secretKeys := req.GetConfigSecretKeys()
	if secretKeys == nil {
		secretKeys = []string{}
	}
	secrets, err := json.Marshal(secretKeys)
	if err != nil {
		return nil, err
	}
	env := append(os.Environ(),
		"PULUMI_CONFIG="+string(cfg),
		"PULUMI_CONFIG_SECRET_KEYS="+string(secrets),
	)
	// TypeScript is on unless Pulumi.yaml says `typescript: false`.
	ts := "true"
	if v, ok := option(opts, "typescript"); ok {
		if b, isBool := v.GetKind().(*structpb.Value_BoolValue); isBool && !b.BoolValue {
			ts = "false"
		}
	}
	env = append(env, "PULUMI_NODEJS_TYPESCRIPT="+ts)
	if p := optionString(opts, "tsconfig"); p != "" {
		env = append(env, "PULUMI_NODEJS_TSCONFIG_PATH="+p)
	}

	cmd := exec.CommandContext(ctx, "node", args...)
	cmd.Dir = progDir
	cmd.Env = env
	// Program output goes to this host's stdout/stderr, which the engine shows.
	cmd.Stdout = os.Stdout
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		if code, ok := exitCode(err); ok {
			if code == exitAfterLoggedError {
				return &pulumirpc.RunResponse{Bail: true}, nil
			}
			return &pulumirpc.RunResponse{
				Error: fmt.Sprintf("Program exited with non-zero exit code: %d", code),
			}, nil
		}
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}
	return &pulumirpc.RunResponse{}, nil
}

// streamWriter forwards a plugin's output as RunPluginResponse messages.
type streamWriter struct {
	mu     *sync.Mutex
	send   func(*pulumirpc.RunPluginResponse) error
	stderr bool
}

func (w streamWriter) Write(p []byte) (int, error) {
	b := append([]byte(nil), p...)
	msg := &pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stdout{Stdout: b}}
	if w.stderr {
		msg = &pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stderr{Stderr: b}}
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.send(msg); err != nil {
		return 0, err
	}
	return len(p), nil
}

func (h *host) RunPlugin(req *pulumirpc.RunPluginRequest,
	srv pulumirpc.LanguageRuntime_RunPluginServer,
) error {
	info := req.GetInfo()
	dir := info.GetProgramDirectory()
	if dir == "" {
		dir = req.GetProgram() //nolint:staticcheck // older engines
	}
	var runner string
	var args []string
	var err error
	switch req.GetKind() {
	case "analyzer":
		// run-policy-pack takes <engine-address> <policy pack directory>.
		runner, err = resolve(dir, "@pulumi/pulumi/cmd/run-policy-pack")
		args = append(append([]string{}, req.GetArgs()...), dir)
	default:
		runner, err = resolve(dir, "@pulumi/pulumi/cmd/run-plugin")
		args = append([]string{dir}, req.GetArgs()...)
	}
	if err != nil {
		return status.Error(codes.FailedPrecondition, err.Error())
	}
	cmd := exec.CommandContext(srv.Context(), "node",
		append(append(nodeArgs(info.GetOptions()), runner), args...)...)
	cmd.Dir = req.GetPwd()
	cmd.Env = append(os.Environ(), req.GetEnv()...)
	mu := &sync.Mutex{}
	cmd.Stdout = streamWriter{mu: mu, send: srv.Send}
	cmd.Stderr = streamWriter{mu: mu, send: srv.Send, stderr: true}
	code := 0
	if err := cmd.Run(); err != nil {
		c, ok := exitCode(err)
		if !ok {
			return err
		}
		code = c
	}
	mu.Lock()
	defer mu.Unlock()
	return srv.Send(&pulumirpc.RunPluginResponse{
		Output: &pulumirpc.RunPluginResponse_Exitcode{Exitcode: int32(code)},
	})
}

func (h *host) About(context.Context, *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, err
	}
	out, err := exec.Command(node, "--version").Output()
	if err != nil {
		return nil, err
	}
	return &pulumirpc.AboutResponse{
		Executable: node,
		Version:    strings.TrimPrefix(strings.TrimSpace(string(out)), "v"),
	}, nil
}

func (h *host) GetProgramDependencies(context.Context, *pulumirpc.GetProgramDependenciesRequest,
) (*pulumirpc.GetProgramDependenciesResponse, error) {
	return &pulumirpc.GetProgramDependenciesResponse{}, nil
}

// InstallDependencies runs `npm install` in the program directory.
func (h *host) InstallDependencies(req *pulumirpc.InstallDependenciesRequest,
	srv pulumirpc.LanguageRuntime_InstallDependenciesServer,
) error {
	dir := req.GetInfo().GetProgramDirectory()
	if dir == "" {
		dir = req.GetDirectory() //nolint:staticcheck // older engines
	}
	cmd := exec.CommandContext(srv.Context(), "npm", "install")
	cmd.Dir = dir
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		return err
	}
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		line := append(sc.Bytes(), '\n')
		if err := srv.Send(&pulumirpc.InstallDependenciesResponse{Stdout: line}); err != nil {
			_ = cmd.Process.Kill()
			return err
		}
	}
	if err := cmd.Wait(); err != nil {
		return fmt.Errorf("npm install failed: %w", err)
	}
	return nil
}

var _ io.Writer = streamWriter{}
