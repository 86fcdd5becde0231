// npm run lab -- up | down [--force] | status
//   up:     bring the default lab up and leave it running (state under <repo>/.lab/<id>/)
//   down:   tear down every lab under .lab/ or in the lab index, also leftovers of crashed runs; labs owned by a
//           running test process and kha-* netns without a lab record are kept unless --force (exit 3 if any remain)
//   status: list lab namespaces and state dirs
import * as fs from "fs";
import * as path from "path";
import { labUp, labDownAll, labPreflight, defaultLabSpec, DEFAULT_STATE_DIR } from "./hosts";
import { listNetns } from "./netns";

const USAGE = "usage: npm run lab -- up | down [--force] | status";

async function main(args: string[]): Promise<number> {
  const [cmd, ...rest] = args;
  if (cmd === "up" && rest.length === 0) {
    labPreflight();
    const t0 = Date.now();
    const lab = await labUp(defaultLabSpec(), { persistent: true });
    console.log(`lab ${lab.id} up in ${Date.now() - t0} ms (bridge in netns ${lab.switchNetns})`);
    for (const h of lab.hosts) console.log(`  ${h.name.padEnd(8)} ${h.role.padEnd(9)} ${h.address.padEnd(12)} ${h.iface}  netns ${h.netns}  sshd pid ${h.sshdPid}`);
    console.log(`state dir:       ${lab.dir}`);
    console.log(`private key:     ${lab.privateKeyPath}`);
    console.log(`known_hosts:     ${lab.knownHostsPath}`);
    const client = lab.hosts.find((h) => h.role === "client");
    if (client) console.log(`try:             ip netns exec ${client.netns} ssh -F /dev/null -i ${lab.privateKeyPath} -o UserKnownHostsFile=${lab.knownHostsPath} -o StrictHostKeyChecking=yes root@${lab.hosts[1]?.address ?? client.address} hostname`);
    console.log("tear down with:  npm run lab -- down");
    return 0;
  }
  if (cmd === "down" && (rest.length === 0 || (rest.length === 1 && rest[0] === "--force"))) {
    labPreflight();
    await labDownAll({ force: rest[0] === "--force", log: (m) => console.log(m) });
    const left = (await listNetns()).filter((n) => n.startsWith("kha-"));
    if (left.length) { console.error(`kha- namespaces still present (owned by running processes; --force removes them): ${left.join(" ")}`); return 3; }
    console.log("no lab namespaces left");
    return 0;
  }
  if (cmd === "status" && rest.length === 0) {
    labPreflight();
    const ns = (await listNetns()).filter((n) => n.startsWith("kha-"));
    const dirs = fs.existsSync(DEFAULT_STATE_DIR) ? fs.readdirSync(DEFAULT_STATE_DIR).map((d) => path.join(DEFAULT_STATE_DIR, d)) : [];
    console.log(`namespaces: ${ns.join(" ") || "(none)"}`);
    console.log(`state dirs: ${dirs.join(" ") || "(none)"}`);
    return 0;
  }
  console.error(USAGE);
  return 2;
}

main(process.argv.slice(2)).then((code) => process.exit(code), (e) => {
  console.error(`lab: ${(e as Error).message}`);
  process.exit(1);
});
