/**
 * docker:index/remoteImage:RemoteImage as terraform-provider-docker v4.5.0's docker_image
 * (internal/provider/resource_docker_image_funcs.go): the name is looked up among local images
 * first and pulled only when absent; id = image id + name; Read re-resolves the name (gone ->
 * dropped); Update (keepLocally/forceRemove) re-resolves; Delete removes the image unless
 * keepLocally.
 */
import { call, DockerError, inspect, raw, streamError } from "./dockerApi";
import { check } from "./diff";
import { REMOTE_IMAGE } from "./schema";
import { Props, reveal } from "./values";

interface ImageInspect {
  Id: string;
  RepoTags?: string[] | null;
  RepoDigests?: string[] | null;
}

export const localImage = (name: string) => inspect<ImageInspect>(`/images/${encodeURIComponent(name)}/json`);

/** repository and tag/digest of a reference, as the Docker client splits it for a pull. */
function pullQuery(name: string, platform: string): Record<string, string> {
  const at = name.indexOf("@");
  const q: Record<string, string> = {};
  if (at !== -1) {
    q.fromImage = name.slice(0, at);
    q.tag = name.slice(at + 1);
  } else {
    const slash = name.lastIndexOf("/");
    const colon = name.lastIndexOf(":");
    if (colon > slash) {
      q.fromImage = name.slice(0, colon);
      q.tag = name.slice(colon + 1);
    } else {
      q.fromImage = name;
      q.tag = "latest";
    }
  }
  if (platform) q.platform = platform;
  return q;
}

/** The local image for a name or id, pulling it when it is not present locally. */
export async function findImage(name: string, platform: string): Promise<ImageInspect> {
  if (!name) throw new Error("empty image name is not allowed");
  const local = await localImage(name);
  if (local) return local;
  let reason: string | undefined;
  try {
    const res = await raw("POST", "/images/create", { query: pullQuery(name, platform), body: Buffer.alloc(0) });
    if (res.status < 200 || res.status >= 300) {
      const text = res.body.toString("utf8");
      try {
        reason = (JSON.parse(text) as { message?: string }).message ?? text;
      } catch {
        reason = text || `HTTP ${res.status}`;
      }
    } else {
      reason = streamError(res.body);
    }
  } catch (e) {
    reason = (e as Error).message;
  }
  const pulled = await localImage(name);
  if (pulled) return pulled;
  throw new Error(`image ${name} is not present locally and pulling it failed: ${reason ?? "the pull finished without the image"}`);
}

function repoDigest(name: string, img: ImageInspect): string {
  const digests = img.RepoDigests ?? [];
  if (digests.length === 0) return "";
  if (digests.length === 1) return digests[0];
  const colon = name.indexOf(":");
  const repo = colon === -1 ? name : name.slice(0, colon);
  return digests.find((d) => d.startsWith(repo + "@")) ?? digests[0];
}

export function checkRemoteImage(urn: string, olds: Props, news: Props) {
  const res = check(REMOTE_IMAGE, urn, olds, news);
  if (res.inputs.build !== undefined && res.inputs.build !== null) {
    res.failures.push({ property: "build", reason: '"build" is not implemented by the kupcake docker stand-in provider' });
  }
  return res;
}

function outputsFor(inputs: Props, img: ImageInspect): Props {
  const name = String(reveal(inputs.name));
  return { ...inputs, name: inputs.name, imageId: img.Id, repoDigest: repoDigest(name, img) };
}

export async function createRemoteImage(inputs: Props): Promise<{ id: string; outs: Props }> {
  const p = reveal(inputs) as Props;
  let img: ImageInspect;
  try {
    img = await findImage(String(p.name), String(p.platform ?? ""));
  } catch (e) {
    throw new Error(`Unable to read Docker image into resource: ${(e as Error).message}`);
  }
  return { id: img.Id + String(p.name), outs: outputsFor(inputs, img) };
}

export async function readRemoteImage(_id: string, state: Props): Promise<{ id: string; props: Props }> {
  const name = String(reveal(state.name) ?? "");
  const img = name ? await localImage(name) : undefined;
  if (!img) return { id: "", props: {} };
  const props = outputsFor(state, img);
  return { id: img.Id + name, props };
}

export async function updateRemoteImage(_id: string, olds: Props, news: Props): Promise<Props> {
  const p = reveal(news) as Props;
  let img: ImageInspect;
  try {
    img = await findImage(String(p.name), String(p.platform ?? ""));
  } catch (e) {
    throw new Error(`Unable to read Docker image into resource: ${(e as Error).message}`);
  }
  const base: Props = { ...olds };
  for (const k of Object.keys(REMOTE_IMAGE.props)) if (REMOTE_IMAGE.props[k].kind !== "output") delete base[k];
  return outputsFor({ ...base, ...news }, img);
}

export async function deleteRemoteImage(_id: string, state: Props): Promise<void> {
  const p = reveal(state) as Props;
  if (p.keepLocally === true) return;
  const name = String(p.name ?? "");
  if (!name) throw new Error("Unable to remove Docker image: empty image name is not allowed");
  if (!(await localImage(name))) return;
  try {
    await call("DELETE", `/images/${encodeURIComponent(name)}`, { query: { force: p.forceRemove === true } });
  } catch (e) {
    if (e instanceof DockerError && e.status === 404) return;
    throw new Error(`Unable to remove Docker image: ${(e as Error).message}`);
  }
}
