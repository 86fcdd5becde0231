// Mocha's spec output, then the closing line CI reads: "N passed, N failed[, N skipped]".
"use strict";
const Mocha = require("mocha");
const { EVENT_TEST_PASS, EVENT_TEST_FAIL, EVENT_TEST_PENDING } = Mocha.Runner.constants;

class PassFailReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    this.counts = { passed: 0, failed: 0, skipped: 0 };
    runner.on(EVENT_TEST_PASS, () => this.counts.passed++);
    // hook failures count too: a failing before() must not read as a green run
    runner.on(EVENT_TEST_FAIL, () => this.counts.failed++);
    runner.on(EVENT_TEST_PENDING, () => this.counts.skipped++);
  }
  epilogue() {
    super.epilogue();
    const { passed, failed, skipped } = this.counts;
    console.log(`${passed} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : ""));
  }
}
module.exports = PassFailReporter;
