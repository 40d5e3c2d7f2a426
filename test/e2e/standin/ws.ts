/**
 * A minimal RFC 6455 WebSocket server for JSON-RPC over WS: handshake, masked client text frames
 * (fragmented messages are reassembled), ping/pong and close. Enough for eth_* requests;
 * subscriptions (eth_subscribe) are not implemented.
 */
import { createHash } from "node:crypto";
import { createServer, IncomingMessage, Server } from "node:http";
import { Duplex } from "node:stream";
import { listen } from "./rpcServer";

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

function frame(opcode: number, payload: Buffer): Buffer {
  const len = payload.length;
  const head = len < 126 ? Buffer.from([0x80 | opcode, len]) : len < 65536 ? Buffer.from([0x80 | opcode, 126, len >> 8, len & 255]) : Buffer.concat([Buffer.from([0x80 | opcode, 127]), bigLen(len)]);
  return Buffer.concat([head, payload]);
}
function bigLen(n: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(n));
  return b;
}

/** Serves WebSocket JSON-RPC on host:port; `answer` maps a request text to a response text. Plain HTTP POST works too. */
export function serveWebSocketRpc(host: string, port: number, answer: (text: string) => Promise<string>): Promise<Server> {
  const server = createServer(async (req, res) => {
    let body = "";
    for await (const c of req) body += c;
    res.writeHead(200, { "content-type": "application/json" });
    res.end(await answer(body));
  });
  server.on("upgrade", (req: IncomingMessage, socket: Duplex) => {
    const key = req.headers["sec-websocket-key"];
    if (typeof key !== "string") {
      socket.end("HTTP/1.1 400 Bad Request\r\n\r\n");
      return;
    }
    const accept = createHash("sha1").update(key + GUID).digest("base64");
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
    let buf = Buffer.alloc(0);
    let parts: Buffer[] = [];
    socket.on("data", (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      for (;;) {
        if (buf.length < 2) return;
        const fin = (buf[0] & 0x80) !== 0;
        const opcode = buf[0] & 0x0f;
        const masked = (buf[1] & 0x80) !== 0;
        let len = buf[1] & 0x7f;
        let off = 2;
        if (len === 126) {
          if (buf.length < 4) return;
          len = buf.readUInt16BE(2);
          off = 4;
        } else if (len === 127) {
          if (buf.length < 10) return;
          len = Number(buf.readBigUInt64BE(2));
          off = 10;
        }
        const maskOff = off;
        if (masked) off += 4;
        if (buf.length < off + len) return;
        const payload = Buffer.from(buf.subarray(off, off + len));
        if (masked) for (let i = 0; i < len; i++) payload[i] ^= buf[maskOff + (i % 4)];
        buf = buf.subarray(off + len);
        if (opcode === 0x8) {
          socket.end(frame(0x8, Buffer.alloc(0)));
          return;
        }
        if (opcode === 0x9) {
          socket.write(frame(0xa, payload));
          continue;
        }
        if (opcode === 0x1 || opcode === 0x0) {
          parts.push(payload);
          if (!fin) continue;
          const text = Buffer.concat(parts).toString("utf8");
          parts = [];
          void answer(text).then((out) => socket.writable && socket.write(frame(0x1, Buffer.from(out))));
        }
      }
    });
    socket.on("error", () => socket.destroy());
  });
  return listen(server, port, host);
}
