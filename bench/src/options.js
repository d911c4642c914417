// Command-line options of the bench (`npm run bench -- <options>`).

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;

/** Dataset sizes and rounds: the full figures, and a quick variant for development. */
export const PLANS = {
  full: {
    a: { files: 10_000, fileSize: 4 * KiB },
    b: { fileSize: 1 * GiB },
    c: { files: 100_000, fileSize: 1 * KiB },
    changedShare: 0.01,
    rounds: 3,
    /** An initial upload of (c) is long (about 100 files/s on this Swift): measured once. */
    cInitialRounds: 1,
    helpRuns: 7,
  },
  quick: {
    a: { files: 200, fileSize: 4 * KiB },
    b: { fileSize: 32 * MiB },
    c: { files: 500, fileSize: 1 * KiB },
    changedShare: 0.01,
    rounds: 1,
    cInitialRounds: 1,
    helpRuns: 3,
  },
};

export const DESTINATION_KINDS = ['local', 's3', 'swift'];
export const SCENARIO_GROUPS = ['a', 'b', 'c', 'd'];

const USAGE = `usage: npm run bench -- [--quick] [--rounds N] [--transfers N] [--dest local,s3,swift]
                        [--only a,b,c,d] [--keep] [--no-results] [--work-dir DIR]
  --quick       small datasets, one round (a minute or two)
  --rounds N    rounds per scenario (default: 3, quick: 1); medians are reported
  --transfers N files at once for both tools (default 4: Nimbus --transfers / profile
                transfers; rclone --transfers N --checkers N)
  --dest        destinations to measure (default: all three)
  --only        scenario groups: a (10,000 x 4 KiB), b (1 GiB), c (100,000 x 1 KiB), d (a with 1% changed; needs a)
  --keep        leave the uploaded buckets, containers and folders in place
  --no-results  print only; do not append to bench/RESULTS.md
  --work-dir    where datasets and local destinations go (default: $TMPDIR/nimbus-bench)`;

function list(value, allowed, flag) {
  const items = value.split(',').map((s) => s.trim()).filter(Boolean);
  for (const item of items) if (!allowed.includes(item)) throw new Error(`${flag}: unknown "${item}" (use ${allowed.join(', ')})`);
  return items;
}

function positiveInt(value, flag) {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} needs a whole number of 1 or more, got "${value}"`);
  return n;
}

export function parseOptions(argv) {
  const options = {
    quick: false,
    rounds: undefined,
    transfers: 4,
    destinations: [...DESTINATION_KINDS],
    groups: [...SCENARIO_GROUPS],
    keep: false,
    writeResults: true,
    workDir: undefined,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) throw new Error(`${arg} needs a value`);
      return argv[++i];
    };
    if (arg === '--quick') options.quick = true;
    else if (arg === '--rounds') options.rounds = positiveInt(next(), arg);
    else if (arg === '--transfers') options.transfers = positiveInt(next(), arg);
    else if (arg === '--dest') options.destinations = list(next(), DESTINATION_KINDS, arg);
    else if (arg === '--only') options.groups = list(next(), SCENARIO_GROUPS, arg);
    else if (arg === '--keep') options.keep = true;
    else if (arg === '--no-results') options.writeResults = false;
    else if (arg === '--work-dir') options.workDir = next();
    else if (arg === '--help' || arg === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else throw new Error(`unknown option ${arg}\n${USAGE}`);
  }
  if (options.groups.includes('d') && !options.groups.includes('a')) options.groups.push('a'); // (d) changes (a)
  const plan = { ...PLANS[options.quick ? 'quick' : 'full'] };
  if (options.rounds) plan.rounds = options.rounds;
  return { ...options, plan };
}
