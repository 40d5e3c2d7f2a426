/**
 * Devnet accounts: the first 30 accounts of Anvil's well-known dev mnemonic
 * `test test test test test test test test test test test junk` (path m/44'/60'/0'/0/i).
 * These keys are PUBLIC: they are printed by every Anvil and hard-coded in countless tools.
 * They secure nothing and are allowed in plain text (the policy pack lists the role keys as such).
 * Secrets that do matter (engine JWTs, kona-node and validator op-reth P2P identities, Grafana
 * password) come from @pulumi/random; sequencer op-reth devp2p identities are derived (public).
 * The role mapping follows Kupcake's (see docs/design.md), which differs from its own docs.
 *
 * Who is funded (both facts are checked in tests or read from the pinned sources):
 * - L1: Anvil starts with `--mnemonic <dev> --accounts 30` and gives each 10,000 ETH (its default
 *   `--balance`); test/fund.test.ts reads the balances from the real Anvil.
 * - L2: the intent sets `fundDevAccounts = true`; op-deployer's L2Genesis script then allocates
 *   `DEV_ACCOUNT_FUND_AMT = 10_000 ether` to each of the same 30 addresses (its `devAccounts`
 *   array, indices 0..29 of the same mnemonic) in the L2 genesis.
 */
export const DEV_MNEMONIC = "test test test test test test test test test test test junk";
export const DEV_ACCOUNT_COUNT = 30;
/** What each dev account holds at genesis on L1 and on L2, in ETH (decimal string). */
export const DEV_ACCOUNT_GENESIS_ETH = "10000";

/** One dev account: its mnemonic index, EIP-55 checksummed address and 0x-prefixed private key. */
export interface DevAccount {
  index: number;
  address: string;
  privateKey: string;
}

const account = (index: number, address: string, privateKey: string): DevAccount => ({ index, address, privateKey });

/** Accounts 0..29 of DEV_MNEMONIC (test/accounts.test.ts derives them from the mnemonic). */
export const DEV_ACCOUNTS: readonly DevAccount[] = [
  account(0, "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266", "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"),
  account(1, "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"),
  account(2, "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC", "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a"),
  account(3, "0x90F79bf6EB2c4f870365E785982E1f101E93b906", "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6"),
  account(4, "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65", "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a"),
  account(5, "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc", "0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba"),
  account(6, "0x976EA74026E726554dB657fA54763abd0C3a0aa9", "0x92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e"),
  account(7, "0x14dC79964da2C08b23698B3D3cc7Ca32193d9955", "0x4bbbf85ce3377467afe5d46f804f221813b2bb87f24d81f60f1fcdbf7cbf4356"),
  account(8, "0x23618e81E3f5cdF7f54C3d65f7FBc0aBf5B21E8f", "0xdbda1821b80551c9d65939329250298aa3472ba22feea921c0cf5d620ea67b97"),
  account(9, "0xa0Ee7A142d267C1f36714E4a8F75612F20a79720", "0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6"),
  account(10, "0xBcd4042DE499D14e55001CcbB24a551F3b954096", "0xf214f2b2cd398c806f84e317254e0f0b801d0643303237d97a22a48e01628897"),
  account(11, "0x71bE63f3384f5fb98995898A86B02Fb2426c5788", "0x701b615bbdfb9de65240bc28bd21bbc0d996645a3dd57e7b12bc2bdf6f192c82"),
  account(12, "0xFABB0ac9d68B0B445fB7357272Ff202C5651694a", "0xa267530f49f8280200edf313ee7af6b827f2a8bce2897751d06a843f644967b1"),
  account(13, "0x1CBd3b2770909D4e10f157cABC84C7264073C9Ec", "0x47c99abed3324a2707c28affff1267e45918ec8c3f20b8aa892e8b065d2942dd"),
  account(14, "0xdF3e18d64BC6A983f673Ab319CCaE4f1a57C7097", "0xc526ee95bf44d8fc405a158bb884d9d1238d99f0612e9f33d006bb0789009aaa"),
  account(15, "0xcd3B766CCDd6AE721141F452C550Ca635964ce71", "0x8166f546bab6da521a8369cab06c5d2b9e46670292d85c875ee9ec20e84ffb61"),
  account(16, "0x2546BcD3c84621e976D8185a91A922aE77ECEc30", "0xea6c44ac03bff858b476bba40716402b03e41b8e97e276d1baec7c37d42484a0"),
  account(17, "0xbDA5747bFD65F08deb54cb465eB87D40e51B197E", "0x689af8efa8c651a91ad287602527f3af2fe9f6501a7ac4b061667b5a93e037fd"),
  account(18, "0xdD2FD4581271e230360230F9337D5c0430Bf44C0", "0xde9be858da4a475276426320d5e9262ecfc3ba460bfac56360bfa6c4c28b4ee0"),
  account(19, "0x8626f6940E2eb28930eFb4CeF49B2d1F2C9C1199", "0xdf57089febbacf7ba0bc227dafbffa9fc08a93fdc68e1e42411a14efcf23656e"),
  account(20, "0x09DB0a93B389bEF724429898f539AEB7ac2Dd55f", "0xeaa861a9a01391ed3d587d8a5a84ca56ee277629a8b02c22093a419bf240e65d"),
  account(21, "0x02484cb50AAC86Eae85610D6f4Bf026f30f6627D", "0xc511b2aa70776d4ff1d376e8537903dae36896132c90b91d52c1dfbae267cd8b"),
  account(22, "0x08135Da0A343E492FA2d4282F2AE34c6c5CC1BbE", "0x224b7eb7449992aac96d631d9677f7bf5888245eef6d6eeda31e62d2f29a83e4"),
  account(23, "0x5E661B79FE2D3F6cE70F5AAC07d8Cd9abb2743F1", "0x4624e0802698b9769f5bdb260a3777fbd4941ad2901f5966b854f953497eec1b"),
  account(24, "0x61097BA76cD906d2ba4FD106E757f7Eb455fc295", "0x375ad145df13ed97f8ca8e27bb21ebf2a3819e9e0a06509a812db377e533def7"),
  account(25, "0xDf37F81dAAD2b0327A0A50003740e1C935C70913", "0x18743e59419b01d1d846d97ea070b5a3368a3e7f6f0242cf497e1baac6972427"),
  account(26, "0x553BC17A05702530097c3677091C5BB47a3a7931", "0xe383b226df7c8282489889170b0f68f66af6459261f4833a781acd0804fafe7a"),
  account(27, "0x87BdCE72c06C21cd96219BD8521bDF1F42C78b5e", "0xf3a6b71b94f5cd909fb2dbb287da47badaa6d8bcdc45d595e2884835d8749001"),
  account(28, "0x40Fc963A729c542424cD800349a7E4Ecc4896624", "0x4e249d317253b9641e477aba8dd5d8f1f7cf5250a5acadd1229693e262720a19"),
  account(29, "0x9DCCe783B6464611f38631e6C851bf441907c710", "0x233c86e887ac435d7f7dc64979d7758d69320906a0d340d2b6518b0fd20aa998"),
];

export const ROLES = {
  /** Deploys the contracts; superchain owner/guardian; base fee vault. */
  deployer: DEV_ACCOUNTS[0],
  l1FeeVault: DEV_ACCOUNTS[1],
  sequencerFeeVault: DEV_ACCOUNTS[2],
  l1ProxyAdminOwner: DEV_ACCOUNTS[3],
  l2ProxyAdminOwner: DEV_ACCOUNTS[4],
  systemConfigOwner: DEV_ACCOUNTS[5],
  /** Signs unsafe blocks: given to sequencer kona-nodes only. */
  unsafeBlockSigner: DEV_ACCOUNTS[6],
  batcher: DEV_ACCOUNTS[7],
  proposer: DEV_ACCOUNTS[8],
  challenger: DEV_ACCOUNTS[9],
  /** Operator fee vault: op-deployer requires a non-zero recipient since late 2025. */
  operatorFeeVault: DEV_ACCOUNTS[10],
} as const;
export type RoleName = keyof typeof ROLES;

/** What each role key is for, and whether a service of the devnet sends transactions with it. */
export const ROLE_USES: Record<RoleName, { use: string; sends: string }> = {
  deployer: { use: "deploys the L1 contracts (op-deployer apply); superchain owner, guardian and protocol-versions owner; base fee vault recipient", sends: "L1, during the first `up`" },
  l1FeeVault: { use: "L1 fee vault recipient", sends: "no" },
  sequencerFeeVault: { use: "sequencer fee vault recipient", sends: "no" },
  l1ProxyAdminOwner: { use: "owner of the chain's L1 ProxyAdmin", sends: "no" },
  l2ProxyAdminOwner: { use: "owner of the L2 ProxyAdmin predeploy", sends: "no" },
  systemConfigOwner: { use: "owner of SystemConfig", sends: "no" },
  unsafeBlockSigner: { use: "signs unsafe L2 blocks (kona-node `--p2p.sequencer.key`, sequencers only)", sends: "no" },
  batcher: { use: "op-batcher: posts L2 batches to L1", sends: "L1, all the time" },
  proposer: { use: "op-proposer: creates dispute games (output roots) on L1", sends: "L1, all the time (with `kupcake:proposer`)" },
  challenger: { use: "op-challenger; challenger of the permissioned games", sends: "L1, with `kupcake:challenger`" },
  operatorFeeVault: { use: "operator fee vault recipient", sends: "no" },
};

/** The account `npm run fund` sends from: the last dev account, funded on both layers, no role. */
export const FAUCET: DevAccount = DEV_ACCOUNTS[DEV_ACCOUNT_COUNT - 1];

/** The account the failover drill's probe transactions come from (ops/drill.ts): the one before the faucet. */
export const DRILL_PROBE: DevAccount = DEV_ACCOUNTS[DEV_ACCOUNT_COUNT - 2];

const roleIndexes = new Set<number>(Object.values(ROLES).map((a) => a.index));
/** Funded dev accounts no devnet service, drill or `npm run fund` uses: yours (indices 11..27). */
export const FREE_ACCOUNTS: readonly DevAccount[] = DEV_ACCOUNTS.filter((a) => !roleIndexes.has(a.index) && a.index !== FAUCET.index && a.index !== DRILL_PROBE.index);

/** Every role private key (bare lower-case hex), so checks can tell public dev keys from real secrets. */
export const PUBLIC_DEV_KEYS: readonly string[] = Object.values(ROLES).map((a) => a.privateKey.replace(/^0x/, "").toLowerCase());

/** The `accounts` stack output. */
export interface AccountsOutput {
  mnemonic: string;
  /** Genesis balance of every listed account, on L1 and on L2, in ETH (decimal string). */
  genesisBalanceEth: string;
  /** Accounts for your own transactions: funded on both layers, used by nothing else. */
  free: DevAccount[];
  /** The account `npm run fund` sends from (funded, no role); avoid sending from it yourself. */
  faucet: DevAccount;
  /** The account the failover drill sends its probe transactions from; avoid it during a drill. */
  drillProbe: DevAccount;
  /** Keys the devnet's services and contracts use: sending from them fights their nonces. */
  roles: Record<RoleName, DevAccount & { use: string; sends: string }>;
}

/** The `accounts` stack output: the same data for every stack (pure, no config needed). */
export function accountsOutput(): AccountsOutput {
  const roles = Object.fromEntries(
    (Object.keys(ROLES) as RoleName[]).map((r) => [r, { ...ROLES[r], ...ROLE_USES[r] }]),
  ) as AccountsOutput["roles"];
  return {
    mnemonic: DEV_MNEMONIC,
    genesisBalanceEth: DEV_ACCOUNT_GENESIS_ETH,
    free: FREE_ACCOUNTS.map((a) => ({ ...a })),
    faucet: { ...FAUCET },
    drillProbe: { ...DRILL_PROBE },
    roles,
  };
}

/** The README's accounts table (generated section `accounts-table`, rewritten by `npm run docs`). */
export function accountsTableMarkdown(): string {
  const o = accountsOutput();
  const byIndex = new Map<number, string[]>();
  for (const [name, r] of Object.entries(o.roles)) byIndex.set(r.index, [`role \`${name}\`: ${r.use}`, r.sends]);
  byIndex.set(o.faucet.index, ["faucet: `npm run fund` sends from it", "when you run `npm run fund`"]);
  byIndex.set(o.drillProbe.index, ["drill probe: `npm run drill:failover` sends its probe transactions from it", "during a failover drill"]);
  for (const a of o.free) byIndex.set(a.index, ["**free**: yours", "no"]);
  return [
    `Every account below holds ${o.genesisBalanceEth} ETH at genesis on L1 and on L2 (\`pulumi stack output accounts\`).`,
    "",
    "| # | Address | Private key | Use | The devnet sends from it |",
    "|---|---|---|---|---|",
    ...DEV_ACCOUNTS.map((a) => {
      const [use, sends] = byIndex.get(a.index)!;
      return `| ${a.index} | \`${a.address}\` | \`${a.privateKey}\` | ${use} | ${sends} |`;
    }),
  ].join("\n");
}
