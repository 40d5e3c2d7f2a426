// Command pulumi-resource-random serves the Terraform "random" provider to
// the Pulumi engine through the Terraform bridge (plugin-framework flavour).
//
// Run as `pulumi-resource-random tfgen schema --out DIR` it writes the
// package schema instead; toolchain.sh stores that file next to the binary
// as pulumi-resource-random.schema.json, where GetSchema reads it from.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	pftfbridge "github.com/pulumi/pulumi-terraform-bridge/v3/pkg/pf/tfbridge"
	pftfgen "github.com/pulumi/pulumi-terraform-bridge/v3/pkg/pf/tfgen"
	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge"
	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge/tokens"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	upstream "github.com/terraform-providers/terraform-provider-random/internal/provider"
)

// version is overridden with -ldflags "-X main.version=..." by toolchain.sh.
var version = "4.21.2"

func info() tfbridge.ProviderInfo {
	p := tfbridge.ProviderInfo{
		P:            pftfbridge.ShimProvider(upstream.New()),
		Name:         "random",
		Version:      version,
		MetadataInfo: tfbridge.NewProviderMetadata([]byte("{}")),
		Resources: map[string]*tfbridge.ResourceInfo{
			// random_bytes has no "id" attribute; use its base64 value.
			"random_bytes": {ComputeID: idFromBase64},
		},
		EnableAccurateBridgePreview: true,
		EnableRawStateDelta:         true,
	}
	// random_password -> random:index/randomPassword:RandomPassword, etc.
	mk := func(module, name string) (string, error) {
		return tokens.MakeStandard("random")(module, "Random"+name)
	}
	p.MustComputeTokens(tokens.SingleModule("random_", "index", mk))
	return p
}

func idFromBase64(_ context.Context, state resource.PropertyMap) (resource.ID, error) {
	v, ok := state["base64"]
	if !ok {
		return "", errors.New("random_bytes state has no base64 property")
	}
	if v.IsSecret() {
		v = v.SecretValue().Element
	}
	if !v.IsString() {
		return "", errors.New("random_bytes base64 property is not a string")
	}
	return resource.ID(v.StringValue()), nil
}

func schema() []byte {
	if exe, err := os.Executable(); err == nil {
		if b, err := os.ReadFile(exe + ".schema.json"); err == nil {
			return b
		}
	}
	return []byte(fmt.Sprintf(`{"name":"random","version":%q}`, version))
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "tfgen" {
		os.Args = append([]string{filepath.Base(os.Args[0])}, os.Args[2:]...)
		pftfgen.Main("random", info())
		return
	}
	pftfbridge.Main(context.Background(), "random", info(),
		pftfbridge.ProviderMetadata{PackageSchema: schema()})
}
