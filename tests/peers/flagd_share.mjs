// flagd_share.mjs — evaluates a flagd flag file the way a real flagd
// provider does (@openfeature/flagd-core), for the integration tests.
//
//   node flagd_share.mjs FILE FLAG N            prints the share (in %) of
//        N targeting keys user-0 .. user-(N-1) that get the "true" variant
//   node flagd_share.mjs FILE FLAG N --keys OUT also writes the keys that
//        got true to OUT, one a line
//   node flagd_share.mjs FILE FLAG N --subset IN prints how many of the keys
//        listed in IN no longer get true (0 means every one stayed on)
//
// Exits 1 with the reason when flagd-core refuses the file.
import { readFileSync, writeFileSync } from 'node:fs';
import { FlagdCore } from '@openfeature/flagd-core';

const [file, flag, nText, mode, arg] = process.argv.slice(2);
const n = Number(nText);
if (!file || !flag || !Number.isInteger(n) || n < 1) {
  console.error('usage: node flagd_share.mjs FILE FLAG N [--keys OUT | --subset IN]');
  process.exit(2);
}
const core = new FlagdCore();
try {
  core.setConfigurations(readFileSync(file, 'utf8'));
} catch (e) {
  console.error(`flagd-core refuses ${file}: ${e.message}`);
  process.exit(1);
}
const isOn = (key) => {
  const r = core.resolveBooleanEvaluation(flag, false, { targetingKey: key });
  return r.value === true;
};

if (mode === '--subset') {
  const keys = readFileSync(arg, 'utf8').split('\n').filter(Boolean);
  console.log(keys.filter((k) => !isOn(k)).length);
} else {
  const on = [];
  for (let i = 0; i < n; i++) if (isOn(`user-${i}`)) on.push(`user-${i}`);
  if (mode === '--keys') writeFileSync(arg, on.join('\n') + '\n');
  console.log(((100 * on.length) / n).toFixed(2));
}
