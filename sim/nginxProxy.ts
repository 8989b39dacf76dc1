import { spawn } from "node:child_process"
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs"
import { connect } from "node:net"
import { join } from "node:path"

import { freePort } from "./freePort.js"
import { makeTempDir, removeTempDir } from "./tempDirs.js"

/** Debian's nginx (`.ci/run` installs nginx-light). */
export const NGINX = ["/usr/sbin/nginx", "/usr/local/sbin/nginx"].find((path) => existsSync(path))

export interface NginxProxy {
  /** http://127.0.0.1:<port> */
  readonly base: string
  /** What nginx logged at warn and above (an upstream refused, a request passed to the next one). */
  readonly errors: () => string
  readonly stop: () => Promise<void>
}

const accepting = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, "127.0.0.1")
    socket.once("connect", () => (socket.destroy(), resolve(true)))
    socket.once("error", () => resolve(false))
  })

/**
 * nginx on a free loopback port as a load balancer in front of the replicas, as a deployment would put it: round
 * robin; a request that cannot connect to one replica is passed to the next (a POST that reached a replica is not
 * sent twice: nginx answers 502 and Telegram sends it again); a replica that failed is left out for a second.
 * Its own folder for the configuration, logs and temporary files; as root, its workers run as nobody.
 */
export const startNginx = async (upstreamPorts: ReadonlyArray<number>): Promise<NginxProxy> => {
  if (NGINX === undefined) throw new Error("nginx is not installed (apt-get install nginx-light)")
  const dir = makeTempDir("nginx")
  chmodSync(dir, 0o777)
  const port = await freePort()
  const root = process.getuid?.() === 0
  const config = `
${root ? "user nobody nogroup;" : ""}
worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  upstream replicas {
${upstreamPorts.map((p) => `    server 127.0.0.1:${p} max_fails=1 fail_timeout=1s;`).join("\n")}
    keepalive 64;
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://replicas;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_next_upstream error timeout;
      proxy_connect_timeout 1s;
      proxy_read_timeout 30s;
    }
  }
}
`
  writeFileSync(join(dir, "nginx.conf"), config)
  const child = spawn(NGINX, ["-p", dir, "-c", join(dir, "nginx.conf"), "-e", join(dir, "error.log")], {
    stdio: ["ignore", "ignore", "pipe"]
  })
  let stderr = ""
  child.stderr!.on("data", (d) => (stderr += d))
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()))
  const errors = () => {
    try {
      return readFileSync(join(dir, "error.log"), "utf8")
    } catch {
      return ""
    }
  }
  for (let waited = 0; !(await accepting(port)); waited += 50) {
    if (child.exitCode !== null || waited > 10_000) {
      child.kill("SIGKILL")
      removeTempDir(dir)
      throw new Error(`nginx did not start: ${stderr}${errors()}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return {
    base: `http://127.0.0.1:${port}`,
    errors,
    stop: async () => {
      // SIGQUIT: a graceful stop; the master takes its workers with it.
      if (child.exitCode === null) child.kill("SIGQUIT")
      await exited
      removeTempDir(dir)
    }
  }
}
