/**
 * The resource schemas the stand-in serves, with Pulumi property names (pulumi-docker 5.2.0,
 * provider/cmd/pulumi-resource-docker/schema.json) and, for each input, how a change is applied,
 * as read (facts only) from terraform-provider-docker v4.5.0 (the `upstream` submodule of
 * pulumi-docker 5.2.0):
 *
 *   replace  ForceNew in the Terraform schema (schema.json: willReplaceOnChanges)
 *   update   applied to the live object by the Update function
 *   state    neither: a new value is only written to state
 *   output   computed only, never an input
 *
 * Sources (tag v4.5.0):
 *   internal/provider/resource_docker_container.go        container schema (line numbers below)
 *   internal/provider/resource_docker_container_funcs.go  Update applies only
 *       attrs = restart, max_retry_count, cpu_shares, memory, memory_reservation, cpu_set,
 *       memory_swap, device_read_bps/iops, device_write_bps/iops (l.1016-1019) via ContainerUpdate,
 *       and starts the container when must_run goes false -> true (l.998-1012)
 *   internal/provider/resource_docker_network.go          every input ForceNew, no Update
 *   internal/provider/resource_docker_volume.go           every input ForceNew but `cluster`
 *   internal/provider/resource_docker_image.go            name/pull_triggers/triggers/platform ForceNew;
 *       keep_locally/force_remove/build updated in place (Update re-reads the image)
 * pulumi-docker provider/resources.go: docker_container has DeleteBeforeReplace; SetAutonaming(255, "-")
 * gives `name` an auto-name where it is an input (container, network, volume; not RemoteImage).
 */

export type Kind = "replace" | "update" | "state" | "output";

/** Shape of a value, for defaults and for comparing the way the Terraform SDK does. */
export interface Shape {
  /** A Terraform TypeSet: order does not matter. */
  set?: boolean;
  /** Element/object fields (for lists and sets of objects, and single objects). */
  fields?: Record<string, Shape>;
  /** Schema default (nested fields). */
  default?: unknown;
}

export interface Prop extends Shape {
  kind: Kind;
  /** Optional+Computed: leaving it out of the program keeps the stored value. */
  computed?: boolean;
  required?: boolean;
  /** DiffSuppressFunc "a new empty string means no change" (user, working_dir). */
  emptyNewIsNoChange?: boolean;
  /** DiffSuppressFunc suppressIfPortsDidNotChangeForMigrationV0ToV1 (ports). */
  portsSuppress?: boolean;
  /** Implemented by this stand-in's Create (everything else is rejected in Check). */
  supported?: boolean;
  /** Allowed values (ValidateDiagFunc patterns). */
  pattern?: RegExp;
}

export interface ResourceSchema {
  token: string;
  props: Record<string, Prop>;
  autoName: boolean;
  deleteBeforeReplace: boolean;
}

const label: Shape = { set: true, fields: { label: {}, value: {} } };
const stringSet: Shape = { set: true };

// ---- docker:index/container:Container (resource_docker_container.go @ v4.5.0) -------------------
export const CONTAINER: ResourceSchema = {
  token: "docker:index/container:Container",
  autoName: true,
  deleteBeforeReplace: true,
  props: {
    name: { kind: "replace", required: true, supported: true }, // l.50 Required ForceNew (auto-named by the bridge)
    rm: { kind: "state", default: false, supported: true }, // l.57
    readOnly: { kind: "replace", default: false, supported: true }, // l.64 ForceNew
    start: { kind: "state", default: true, supported: true }, // l.72
    wait: { kind: "state", default: false, supported: true }, // l.79
    waitTimeout: { kind: "state", default: 60, supported: true }, // l.86
    attach: { kind: "state", default: false, supported: true }, // l.93
    logs: { kind: "state", default: false, supported: true }, // l.100
    mustRun: { kind: "update", default: true, supported: true }, // l.122 (Update starts on false->true)
    exitCode: { kind: "output" }, // l.129
    containerLogs: { kind: "output" }, // l.135
    image: { kind: "replace", required: true, supported: true }, // l.141 Required ForceNew
    hostname: { kind: "replace", computed: true }, // l.148
    domainname: { kind: "replace" }, // l.156
    command: { kind: "replace", computed: true, supported: true }, // l.163 ForceNew Computed (list)
    entrypoints: { kind: "replace", computed: true, supported: true }, // l.172 "entrypoint"
    user: { kind: "replace", emptyNewIsNoChange: true, supported: true }, // l.181 ForceNew + DiffSuppress ""
    dns: { kind: "replace", ...stringSet }, // l.196
    dnsOpts: { kind: "replace", ...stringSet }, // l.205
    dnsSearches: { kind: "replace", ...stringSet }, // l.214
    publishAllPorts: { kind: "replace" }, // l.223
    restart: { kind: "update", default: "no", pattern: /^(no|on-failure|always|unless-stopped)$/, supported: true }, // l.230
    maxRetryCount: { kind: "update", supported: true }, // l.238
    workingDir: { kind: "replace", emptyNewIsNoChange: true }, // l.243
    removeVolumes: { kind: "state", default: true, supported: true }, // l.256
    capabilities: { kind: "replace" }, // l.262
    securityOpts: { kind: "replace", computed: true, ...stringSet }, // l.291
    runtime: { kind: "replace", computed: true }, // l.300
    platform: { kind: "replace", computed: true }, // l.307
    stopSignal: { kind: "replace", computed: true }, // l.314
    stopTimeout: { kind: "replace", computed: true, supported: true }, // l.321
    mounts: {
      kind: "replace", // l.328 TypeSet ForceNew
      set: true,
      supported: true,
      fields: { target: {}, source: {}, type: {}, readOnly: {}, bindOptions: {}, volumeOptions: {}, tmpfsOptions: {} },
    },
    volumes: { kind: "replace", set: true }, // l.434
    tmpfs: { kind: "state" }, // l.482 (not ForceNew, not in Update)
    ports: {
      kind: "replace", // l.487 TypeList ForceNew + suppressIfPortsDidNotChangeForMigrationV0ToV1
      portsSuppress: true,
      supported: true,
      fields: { internal: {}, external: {}, ip: { default: "0.0.0.0" }, protocol: { default: "tcp" } }, // l.512, l.528
    },
    hosts: { kind: "replace", set: true }, // l.537 "host"
    ulimits: { kind: "replace", set: true }, // l.561 "ulimit"
    envs: { kind: "replace", computed: true, supported: true, ...stringSet }, // l.590 "env" TypeSet ForceNew Computed
    bridge: { kind: "output" }, // l.600
    networkDatas: { kind: "output" }, // l.606 "network_data"
    privileged: { kind: "replace" }, // l.656
    devices: { kind: "replace", set: true }, // l.663
    deviceReadBps: { kind: "update", set: true }, // l.693
    deviceReadIops: { kind: "update", set: true }, // l.713
    deviceWriteBps: { kind: "update", set: true }, // l.733
    deviceWriteIops: { kind: "update", set: true }, // l.753
    deviceRequests: { kind: "replace", set: true }, // l.774
    destroyGraceSeconds: { kind: "state", supported: true }, // l.827
    labels: { kind: "replace", computed: true, supported: true, ...label }, // l.833 TypeSet ForceNew Computed
    memory: { kind: "update" }, // l.842
    memoryReservation: { kind: "update", default: 0, supported: true }, // l.848
    memorySwap: { kind: "update" }, // l.856
    shmSize: { kind: "replace", computed: true }, // l.863
    cpuShares: { kind: "update" }, // l.872
    cpuSet: { kind: "update" }, // l.879
    logDriver: { kind: "replace", computed: true, supported: true }, // l.886 ForceNew Computed
    logOpts: { kind: "replace", supported: true }, // l.894 ForceNew
    networkMode: { kind: "replace", default: "bridge", supported: true }, // l.901
    networksAdvanced: {
      kind: "replace", // l.909 TypeSet ForceNew
      set: true,
      supported: true,
      fields: { name: {}, aliases: { set: true }, ipv4Address: {}, ipv6Address: {}, linkLocalIps: { set: true }, macAddress: {}, driverOpts: { set: true }, gwPriority: {} },
    },
    pidMode: { kind: "replace" }, // l.974
    usernsMode: { kind: "replace" }, // l.980
    uploads: {
      kind: "replace", // l.987 "upload" TypeSet ForceNew
      set: true,
      supported: true,
      fields: { content: {}, contentBase64: {}, file: {}, executable: { default: false }, permissions: {}, source: {}, sourceHash: {} }, // l.1018
    },
    healthcheck: {
      kind: "state", // l.1045 Optional Computed, not ForceNew, not in Update
      computed: true,
      supported: true,
      fields: {
        tests: {},
        interval: { default: "0s" }, // l.1062
        timeout: { default: "0s" }, // l.1069
        startPeriod: { default: "0s" }, // l.1076
        startInterval: { default: "0s" }, // l.1083
        retries: { default: 0 }, // l.1090
      },
    },
    containerReadRefreshTimeoutMilliseconds: { kind: "state", default: 15000, supported: true }, // l.1098
    sysctls: { kind: "replace" }, // l.1105
    ipcMode: { kind: "replace", computed: true }, // l.1111
    groupAdds: { kind: "replace", ...stringSet }, // l.1118
    init: { kind: "state", computed: true }, // l.1126
    tty: { kind: "replace", default: false, supported: true }, // l.1132
    stdinOpen: { kind: "replace", default: false, supported: true }, // l.1139
    storageOpts: { kind: "replace" }, // l.1146
    gpus: { kind: "replace" }, // l.1152
    cpus: { kind: "replace" }, // l.1158
    cpuPeriod: { kind: "state" }, // l.1164
    cpuQuota: { kind: "state" }, // l.1170
    cgroupnsMode: { kind: "replace" }, // l.1176
    cgroupParent: { kind: "replace" }, // l.1182
  },
};

// ---- docker:index/network:Network (resource_docker_network.go @ v4.5.0) -------------------------
export const NETWORK: ResourceSchema = {
  token: "docker:index/network:Network",
  autoName: true,
  deleteBeforeReplace: false,
  props: {
    name: { kind: "replace", required: true, supported: true }, // l.25
    labels: { kind: "replace", supported: true, ...label }, // l.32
    driver: { kind: "replace", computed: true, supported: true }, // l.40
    options: { kind: "replace", computed: true, supported: true }, // l.48
    internal: { kind: "replace", computed: true, supported: true }, // l.56
    attachable: { kind: "replace", supported: true }, // l.64
    ingress: { kind: "replace", supported: true }, // l.71
    ipv6: { kind: "replace", supported: true }, // l.78
    ipamDriver: { kind: "replace", default: "default", supported: true }, // l.85
    ipamOptions: { kind: "replace", supported: true }, // l.92
    ipamConfigs: { kind: "replace", computed: true, set: true, supported: true }, // l.99
    scope: { kind: "output" }, // l.139
  },
};

// ---- docker:index/volume:Volume (resource_docker_volume.go @ v4.5.0) ----------------------------
export const VOLUME: ResourceSchema = {
  token: "docker:index/volume:Volume",
  autoName: true,
  deleteBeforeReplace: false,
  props: {
    name: { kind: "replace", computed: true, supported: true }, // l.41 Optional Computed ForceNew
    labels: { kind: "replace", supported: true, ...label }, // l.48
    driver: { kind: "replace", computed: true, supported: true }, // l.55
    driverOpts: { kind: "replace", supported: true }, // l.62
    mountpoint: { kind: "output" }, // l.68
    cluster: { kind: "update" }, // l.73 (only cluster.availability is updated)
  },
};

// ---- docker:index/remoteImage:RemoteImage (resource_docker_image.go @ v4.5.0) -------------------
export const REMOTE_IMAGE: ResourceSchema = {
  token: "docker:index/remoteImage:RemoteImage",
  autoName: false,
  deleteBeforeReplace: false,
  props: {
    name: { kind: "replace", required: true, supported: true }, // l.36
    imageId: { kind: "output" }, // l.43
    repoDigest: { kind: "output" }, // l.49
    keepLocally: { kind: "update", supported: true }, // l.55
    pullTriggers: { kind: "replace", set: true, supported: true }, // l.61
    forceRemove: { kind: "update", supported: true }, // l.70
    build: { kind: "update" }, // l.76
    triggers: { kind: "replace", supported: true }, // l.84
    platform: { kind: "replace", supported: true }, // l.90 (Default "")
  },
};

export const SCHEMAS: Record<string, ResourceSchema> = Object.fromEntries(
  [CONTAINER, NETWORK, VOLUME, REMOTE_IMAGE].map((s) => [s.token, s]),
);

/** Input property names of a resource. */
export function inputKeys(s: ResourceSchema): string[] {
  return Object.entries(s.props)
    .filter(([, p]) => p.kind !== "output")
    .map(([k]) => k);
}
