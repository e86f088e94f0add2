// The cluster test files run in the order their paths are given on jest's command line
// (hack/control-plane/test.sh: `--runTestsByPath a.cluster.ts b.cluster.ts`), not in jest's default
// order (slowest and last-failed first): a suite's later files deploy beside what its first one
// deployed, on the same nodes, and each run must do the same thing. Paths not on the command line
// (a plain `jest --config test/cluster/jest.config.js`) come after, by name.
const path = require('path');
const Sequencer = require('@jest/test-sequencer').default;

class CommandLineOrder extends Sequencer {
  sort(tests) {
    const given = process.argv.slice(2).map((arg) => path.resolve(arg));
    const rank = (test) => {
      const i = given.indexOf(test.path);
      return i < 0 ? given.length : i;
    };
    return [...tests].sort((a, b) => rank(a) - rank(b) || a.path.localeCompare(b.path));
  }
}

module.exports = CommandLineOrder;
