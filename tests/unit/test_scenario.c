// SPDX-License-Identifier: GPL-2.0
/* Scenario parser: good files, every error with its file:line, SHA-256. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "digest.h"
#include "scenario.h"
#include "unit.h"

static char dir[] = "/tmp/mmscope-test-scenario.XXXXXX";

static const char *write_file(const char *name, const char *text)
{
	static char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
	return path;
}

/* Load text that must fail; check the error message exactly. */
static void expect_error(const char *text, const char *want_suffix)
{
	struct scenario s;
	char err[1024], want[1024];
	const char *path = write_file("bad.scn", text);

	snprintf(want, sizeof(want), "%s%s", path, want_suffix);
	CHECK(scenario_load(path, &s, err, sizeof(err)) == -1, "accepted: %s", text);
	CHECK(!strcmp(err, want), "error '%s', want '%s'", err, want);
}

int main(void)
{
	struct scenario s;
	struct digest *d;
	char err[1024], hex[65];
	const char *path;

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}

	/* the digests are stored: exactly sha256sum's 64 lowercase hex digits */
	d = digest_sha256();
	digest_update(d, "abc", 3);
	CHECK(digest_hex(d, hex) == 0, "digest failed");
	CHECK(!strcmp(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"), "%s", hex);
	d = digest_sha256();
	CHECK(digest_hex(d, hex) == 0, "digest failed");
	CHECK(!strcmp(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"), "%s", hex);
	d = digest_sha256();
	for (int i = 0; i < 1000; i++)	/* 1000 x 'a' split across block edges */
		digest_update(d, "a", 1);
	CHECK(digest_hex(d, hex) == 0, "digest failed");
	CHECK(!strcmp(hex, "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3"), "%s", hex);
	CHECK(digest_hex(NULL, hex) == -1 && !hex[0], "NULL digest");
	CHECK(digest_file_sha256("/nonexistent/x.scn", hex) == -1 && errno == ENOENT, "missing file");

	path = write_file("sga-shmem.scn",
		"# the SGA experiment\n"
		"\n"
		"description = SGA, shmem backing   \n"
		"workload = sga-bench --mode shmem --size '1 G' \"a\\\"b\" --json\n"
		"  tracers = ptmem, ptshare\n"
		"repeats=3\n"
		"kernel = patched\n"
		"timeout = 2m\n"
		"settle = 500ms\n"
		"tracer_args = --mode tracepoint\n");
	CHECK(scenario_load(path, &s, err, sizeof(err)) == 0, "%s", err);
	CHECK(!strcmp(s.name, "sga-shmem"), "name from file name: %s", s.name);
	CHECK(!strcmp(s.description, "SGA, shmem backing"), "%s", s.description);
	CHECK(s.argc == 7, "argc %d", s.argc);
	CHECK(s.argc == 7 && !strcmp(s.argv[4], "1 G") && !strcmp(s.argv[5], "a\"b") &&
	      s.argv[7] == NULL, "argv split wrong");
	CHECK(s.ntracers == 2 && !strcmp(s.tracers[1], "ptshare"), "tracers");
	CHECK(s.repeats == 3, "repeats %d", s.repeats);
	CHECK(s.kernel == SCN_KERNEL_PATCHED, "kernel");
	CHECK_NEAR(s.timeout_s, 120, 0);
	CHECK_NEAR(s.settle_s, 0.5, 1e-12);
	CHECK(s.tracer_argc == 2 && !strcmp(s.tracer_argv[1], "tracepoint"), "tracer args");
	CHECK(digest_file_sha256(path, hex) == 0 && !strcmp(hex, s.hash), "hash");

	path = write_file("min.scn", "workload = /bin/true\n");
	CHECK(scenario_load(path, &s, err, sizeof(err)) == 0, "%s", err);
	CHECK(s.repeats == 5 && s.kernel == SCN_KERNEL_HOST && s.ntracers == 0 &&
	      s.timeout_s == 600 && !strcmp(s.name, "min"), "defaults");

	expect_error("workload = x\n\n# c\n\n\n\nrepeat = 3\n", ":7: unknown key 'repeat'");
	expect_error("workload = x\nrepeats = 0\n", ":2: repeats '0' must be a whole number from 1 to 1000");
	expect_error("workload = x\nrepeats = 3x\n", ":2: repeats '3x' must be a whole number from 1 to 1000");
	expect_error("workload = x\nkernel = guest\n", ":2: kernel 'guest' must be host, patched or pristine");
	expect_error("tracers = ptmem\nworkload = x 'y\n", ":2: workload: unterminated quote");
	expect_error("workload = x\ntracers = ptmem bogus\n",
		     ":2: unknown tracer 'bogus' (known: vmalock ptmem faultlat ptshare)");
	expect_error("workload = x\nworkload = y\n", ":2: key 'workload' given twice");
	expect_error("just words\n", ":1: expected 'key = value'");
	expect_error("workload =\n", ":1: workload is empty");
	expect_error("repeats = 2\n", ": no 'workload = ...' line");
	expect_error("workload = x\ntimeout = soon\n",
		     ":2: timeout 'soon' must be a time from 1ms to 7 days (s, ms, m, h accepted)");
	/* nan passed --dry-run, 1e12 never started the workload */
	expect_error("workload = x\ntimeout = nan\n",
		     ":2: timeout 'nan' must be a time from 1ms to 7 days (s, ms, m, h accepted)");
	expect_error("workload = x\ntimeout = inf\n",
		     ":2: timeout 'inf' must be a time from 1ms to 7 days (s, ms, m, h accepted)");
	expect_error("workload = x\ntimeout = 0\n",
		     ":2: timeout '0' must be a time from 1ms to 7 days (s, ms, m, h accepted)");
	expect_error("workload = x\ntimeout = 8d\n",
		     ":2: timeout '8d' must be a time from 1ms to 7 days (s, ms, m, h accepted)");
	expect_error("workload = x\ntimeout = 169h\n",
		     ":2: timeout '169h' must be a time from 1ms to 7 days (s, ms, m, h accepted)");
	expect_error("workload = x\nsettle = 1e12\n",
		     ":2: settle '1e12' must be a time from 0 to 1 hour (s, ms, m, h accepted)");
	expect_error("workload = x\nsettle = nan\n",
		     ":2: settle 'nan' must be a time from 0 to 1 hour (s, ms, m, h accepted)");
	expect_error("workload = x\nsettle = -1\n",
		     ":2: settle '-1' must be a time from 0 to 1 hour (s, ms, m, h accepted)");
	expect_error("workload = x\nrepeats = 4294967297\n",
		     ":2: repeats '4294967297' must be a whole number from 1 to 1000");
	expect_error("workload = x\nrepeats = nan\n",
		     ":2: repeats 'nan' must be a whole number from 1 to 1000");
	path = write_file("t.scn", "workload = x\ntimeout = 168h\nsettle = 1h\n");
	CHECK(scenario_load(path, &s, err, sizeof(err)) == 0 && s.timeout_s == 168 * 3600.0 &&
	      s.settle_s == 3600, "the longest timeout and settle refused: %s", err);
	path = write_file("t.scn", "workload = x\nsettle = 0\n");
	CHECK(scenario_load(path, &s, err, sizeof(err)) == 0 && s.settle_s == 0,
	      "settle = 0 refused: %s", err);
	expect_error("workload = x\nname = two words\n",
		     ":2: name 'two words' must be one word of at most 127 characters");

	/* run --set: replace, replace inline, append when --help lists it, refuse the rest */
	{
		const char *help = "  -n, --procs N   processes\n      --sga-size S  x\n      --seed N\n";
		char want[65], h0[65];

		path = write_file("set.scn", "name = s\nworkload = b 'a b' --procs 5 --seed=1 --fit\n");
		CHECK(scenario_load(path, &s, err, sizeof(err)) == 0, "%s", err);
		strcpy(h0, s.hash);
		CHECK(scenario_set(&s, "procs=7", NULL, err, sizeof(err)) == 0, "%s", err);
		CHECK(scenario_set(&s, "seed=2", NULL, err, sizeof(err)) == 0, "%s", err);
		CHECK(scenario_set_needs_help(&s, "sga-size=1G") && !scenario_set_needs_help(&s, "procs=1"),
		      "needs_help");
		CHECK(scenario_set(&s, "sga-size=1G", help, err, sizeof(err)) == 0, "%s", err);
		CHECK(!strcmp(s.workload, "b 'a b' --procs 7 --seed=2 --fit --sga-size 1G"),
		      "effective line '%s'", s.workload);
		CHECK(s.argc == 8 && !strcmp(s.argv[7], "1G") && !strcmp(s.argv[1], "a b"), "argv");
		CHECK(!strcmp(s.run_name, "s[procs=7,seed=2,sga-size=1G]"), "run name '%s'", s.run_name);
		CHECK(!strcmp(s.overrides, "procs=7 seed=2 sga-size=1G"), "overrides '%s'", s.overrides);
		/* the hash chains sha256(previous hex "\n" KEY=VALUE) */
		{
			const char *kv[] = { "procs=7", "seed=2", "sga-size=1G" };

			strcpy(want, h0);
			for (int i = 0; i < 3; i++) {
				struct digest *d = digest_sha256();

				digest_update(d, want, strlen(want));
				digest_update(d, "\n", 1);
				digest_update(d, kv[i], strlen(kv[i]));
				digest_hex(d, want);
			}
			CHECK(!strcmp(s.hash, want), "hash %s, want %s", s.hash, want);
		}
		/* a prefix of a listed option is not that option; --sga is not --sga-size */
		CHECK(scenario_set(&s, "proc=1", help, err, sizeof(err)) == -1 &&
		      strstr(err, "unknown key 'proc'"), "prefix accepted: %s", err);
		CHECK(scenario_set(&s, "sga=1", help, err, sizeof(err)) == -1, "--sga matched --sga-size");
		CHECK(scenario_set(&s, "fit=1", help, err, sizeof(err)) == -1 &&
		      strstr(err, "takes no value"), "flag: %s", err);
		CHECK(scenario_set(&s, "procs=8", help, err, sizeof(err)) == -1 &&
		      strstr(err, "given twice"), "twice: %s", err);
		CHECK(scenario_set(&s, "scenario.repeats=9", NULL, err, sizeof(err)) == 0 && s.repeats == 9,
		      "scenario.repeats: %s", err);
		CHECK(scenario_set(&s, "scenario.timeout=0", NULL, err, sizeof(err)) == -1 &&
		      !strncmp(err, "--set scenario.timeout=0: timeout '0' must be", 45), "timeout: %s", err);
		CHECK(scenario_set(&s, "scenario.kernel=host", NULL, err, sizeof(err)) == -1 &&
		      strstr(err, "unknown key 'scenario.kernel'"), "kernel: %s", err);
		CHECK(scenario_set(&s, "seed", NULL, err, sizeof(err)) == -1 &&
		      strstr(err, "must be KEY=VALUE"), "no '=': %s", err);
	}

	snprintf(hex, sizeof(hex), "%s/missing.scn", dir);
	CHECK(scenario_load(hex, &s, err, sizeof(err)) == -1 && strstr(err, "cannot open"), "%s", err);

	/* kernel expectation: host always passes; the message names scripts/kernel */
	path = write_file("g.scn", "workload = x\nkernel = patched\n");
	scenario_load(path, &s, err, sizeof(err));
	if (access("/sys/kernel/tracing/events/vma_lock", F_OK)) {
		CHECK(scenario_kernel_check(&s, err, sizeof(err)) == -1, "patched accepted");
		CHECK(strstr(err, "scripts/kernel/") != NULL, "%s", err);
	}
	s.kernel = SCN_KERNEL_HOST;
	CHECK(scenario_kernel_check(&s, err, sizeof(err)) == 0, "host refused");

	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cleanup failed\n");
	return unit_done("test_scenario");
}
