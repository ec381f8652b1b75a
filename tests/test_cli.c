/* The real binary, as a user runs it: commands, exit codes, messages,
 * goldens, replay, both sandbox paths, and nothing left behind. */
#include <criterion/criterion.h>
#include <pcap/pcap.h>

#include "capture.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

/* Every run here keeps its progress in a directory of its own, not in the
 * home of whoever runs the tests; the runner removes it once every test
 * is over. Criterion runs each test in a worker that executes this binary
 * again: the worker takes the runner's directory from the environment. */
static char state_home[64];

__attribute__((constructor)) static void private_state_home(void)
{
	const char *runner = getenv("SOCKLAB_TEST_STATE_HOME");
	if (runner && *runner) {
		snprintf(state_home, sizeof state_home, "%s", runner);
	} else {
		snprintf(state_home, sizeof state_home, "/tmp/socklab-test-state-%d",
			 (int)getpid());
		setenv("SOCKLAB_TEST_STATE_HOME", state_home, 1);
	}
	setenv("XDG_STATE_HOME", state_home, 1);
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st, (void)type, (void)ftw;
	return remove(path);
}

ReportHook(POST_ALL)(struct criterion_global_stats *stats)
{
	(void)stats;
	nftw(state_home, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

struct result {
	int code;          /* exit status, or 128 + signal */
	char *out;
	char *err;
};

static char *slurp(int fd)
{
	size_t len = 0, capacity = 4096;
	char *text = malloc(capacity);
	ssize_t n;
	while ((n = read(fd, text + len, capacity - len - 1)) > 0) {
		len += (size_t)n;
		if (capacity - len < 2)
			text = realloc(text, capacity *= 2);
	}
	text[len] = '\0';
	return text;
}

static struct result run_with_input(char *const argv[], const char *input);

/* Runs argv (argv[0] is the program), collecting both outputs. */
static struct result run(char *const argv[])
{
	return run_with_input(argv, NULL);
}

/* The same, with `input` (or /dev/null) on standard input. */
static struct result run_with_input(char *const argv[], const char *input)
{
	char input_path[64] = "/dev/null";
	if (input) {
		snprintf(input_path, sizeof input_path, "/tmp/socklab-test-input-%d",
			 (int)getpid());
		FILE *file = fopen(input_path, "w");
		cr_assert_not_null(file);
		fputs(input, file);
		fclose(file);
	}
	int out_pipe[2], err_pipe[2];
	cr_assert_eq(pipe2(out_pipe, O_CLOEXEC), 0);
	cr_assert_eq(pipe2(err_pipe, O_CLOEXEC), 0);
	posix_spawn_file_actions_t actions;
	posix_spawn_file_actions_init(&actions);
	posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
	posix_spawn_file_actions_adddup2(&actions, err_pipe[1], 2);
	posix_spawn_file_actions_addopen(&actions, 0, input_path, O_RDONLY, 0);
	pid_t pid;
	cr_assert_eq(posix_spawn(&pid, argv[0], &actions, NULL, argv, environ), 0, "spawn %s",
		     argv[0]);
	posix_spawn_file_actions_destroy(&actions);
	close(out_pipe[1]);
	close(err_pipe[1]);
	/* Read stderr fully after stdout: outputs here are small. */
	struct result result = { .out = slurp(out_pipe[0]) };
	result.err = slurp(err_pipe[0]);
	close(out_pipe[0]);
	close(err_pipe[0]);
	int status;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	result.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	if (input)
		unlink(input_path);
	return result;
}

static void result_done(struct result *result)
{
	free(result->out);
	free(result->err);
}

#define SOCKLAB(...) run((char *const[]){ SOCKLAB_BINARY, __VA_ARGS__, NULL })

static char *read_file(const char *path)
{
	int fd = open(path, O_RDONLY);
	cr_assert_geq(fd, 0, "open %s: %s", path, strerror(errno));
	char *text = slurp(fd);
	close(fd);
	return text;
}

static char *temp_path(const char *suffix)
{
	static int counter;
	char *path;
	cr_assert_geq(asprintf(&path, "/tmp/socklab-test-%d-%d%s", (int)getpid(), counter++,
			       suffix),
		      0);
	return path;
}

static void write_text(const char *path, const char *text, size_t len)
{
	FILE *file = fopen(path, "w");
	cr_assert_not_null(file);
	fwrite(text, 1, len, file);
	fclose(file);
}

Test(cli, version_and_help_exit_zero)
{
	struct result result = SOCKLAB("--version");
	cr_expect_eq(result.code, 0);
	cr_expect(strncmp(result.out, "socklab ", 8) == 0, "%s", result.out);
	result_done(&result);
	result = SOCKLAB("--help");
	cr_expect_eq(result.code, 0);
	cr_expect(strstr(result.out, "socklab run [--plain]") != NULL);
	result_done(&result);
	result = SOCKLAB("frobnicate");
	cr_expect_eq(result.code, 2);
	cr_expect_str_eq(result.err,
			 "socklab: unknown command 'frobnicate' (try socklab --help)\n");
	result_done(&result);
}

Test(cli, list_names_the_first_lesson)
{
	struct result result = SOCKLAB("list");
	cr_expect_eq(result.code, 0);
	const char first[] = "01-echo            The echo pair, one call at a time\n";
	cr_expect(strncmp(result.out, first, sizeof first - 1) == 0, "%s", result.out);
	/* The titles line up after the longest name, 13-handshake-slow. */
	cr_expect(strstr(result.out, "\n13-handshake-slow  The handshake") != NULL, "%s",
		  result.out);
	result_done(&result);
}

Test(cli, lesson_01_runs_plain_and_meets_every_expectation)
{
	struct result result = SOCKLAB("run", "--plain", "01");
	cr_expect_eq(result.code, 0, "%s%s", result.out, result.err);
	cr_expect(strstr(result.out, "sandbox: private netns")
		  || strstr(result.out, "sandbox: host network"));
	cr_expect(strstr(result.out, "every expectation met") != NULL, "%s", result.out);
	cr_expect(strstr(result.out, "in accept queue, no fd") != NULL);
	cr_expect(strstr(result.out, "TIME-WAIT") != NULL);
	result_done(&result);
}

/* Where two texts first differ, with 80 bytes before it, both versions
 * cut to a readable length: a failure in CI says what moved. */
static void first_difference(const char *got, const char *expected, char *out, size_t size)
{
	size_t at = 0;
	int line = 1;
	while (got[at] && got[at] == expected[at])
		line += got[at++] == '\n';
	size_t from = at > 80 ? at - 80 : 0;
	snprintf(out, size, "line %d, byte %zu: ...%.300s\n    expected ...%.300s", line, at,
		 got + from, expected + from);
}

/* Whether the normalised trace `got` differs from the golden one, in any
 * byte; if so, `where` says where (first_difference). There is no
 * tolerance and no second run: a golden trace holds no value that a kernel
 * timer may still change when the step's snapshot is read. Where a timer
 * moves a state after a call (the peer's delayed ACK, 40 ms or more after
 * a close(), turns FIN-WAIT-1 with the FIN unacknowledged into FIN-WAIT-2),
 * the lesson waits for the settled state with `within` (lessons/README.md,
 * "Timers: stable traces"), so a loaded machine, or a lab slowed by
 * sanitizers, reads what an idle one reads. */
static bool golden_differs(const char *got, const char *expected, char *where, size_t size)
{
	if (strcmp(got, expected) == 0)
		return false;
	first_difference(got, expected, where, size);
	return true;
}

/* Runs a lesson with a trace and compares the normalised trace with the
 * golden one, once. */
static void expect_golden(const char *lesson, const char *golden, bool host)
{
	char *trace = temp_path(".jsonl");
	struct result result = host
		? SOCKLAB("run", "--plain", "--host", "--trace", trace, (char *)lesson)
		: SOCKLAB("run", "--plain", "--trace", trace, (char *)lesson);
	cr_assert_eq(result.code, 0, "%s%s", result.out, result.err);
	result_done(&result);
	result = SOCKLAB("normalise", trace);
	cr_assert_eq(result.code, 0, "%s", result.err);
	char *expected = read_file(golden);
	char where[800] = "";
	cr_expect_not(golden_differs(result.out, expected, where, sizeof where),
		      "%s%s: the run differs from %s (record it again only if the lesson changed: "
		      "socklab normalise TRACE > %s); %s", lesson, host ? " (host)" : "", golden,
		      golden, where);
	free(expected);
	result_done(&result);
	unlink(trace);
	free(trace);
}

/* The difference the comparison used to forgive with a second run: the
 * peer's delayed ACK came before the step's snapshot. It fails now, as
 * does every other one-field difference; only the same bytes pass. */
Test(cli, golden_comparison_forgives_no_difference_not_even_a_late_ack)
{
	const char *golden = "{\"seq\":1}\n{\"seq\":2,\"ret\":0,\"sockets\":[{\"fd\":4,"
			     "\"state\":\"FIN-WAIT-1\",\"wq\":1,"
			     "\"changes\":[\"state\",\"queue\"]}]}\n";
	const char *late_ack = "{\"seq\":1}\n{\"seq\":2,\"ret\":0,\"sockets\":[{\"fd\":4,"
			       "\"state\":\"FIN-WAIT-2\",\"wq\":0,\"changes\":[\"state\"]}]}\n";
	const char *other_wq = "{\"seq\":1}\n{\"seq\":2,\"ret\":0,\"sockets\":[{\"fd\":4,"
			       "\"state\":\"FIN-WAIT-1\",\"wq\":0,"
			       "\"changes\":[\"state\",\"queue\"]}]}\n";
	const char *other_ret = "{\"seq\":1}\n{\"seq\":2,\"ret\":-1,\"sockets\":[{\"fd\":4,"
				"\"state\":\"FIN-WAIT-1\",\"wq\":1,"
				"\"changes\":[\"state\",\"queue\"]}]}\n";
	char where[800] = "";
	cr_assert_not(golden_differs(golden, golden, where, sizeof where));
	cr_assert_str_empty(where);
	cr_assert(golden_differs(late_ack, golden, where, sizeof where));
	cr_assert(strstr(where, "line 2, byte ") && strstr(where, "FIN-WAIT-2")
		  && strstr(where, "FIN-WAIT-1"), "%s", where);
	cr_assert(golden_differs(other_wq, golden, where, sizeof where));
	cr_assert(golden_differs(other_ret, golden, where, sizeof where));
	cr_assert(golden_differs("{\"seq\":1}\n", golden, where, sizeof where), "a line missing");
	cr_assert(golden_differs(golden, "{\"seq\":1}\n", where, sizeof where), "a line more");
}

/* The shipped lessons, sorted, as paths. */
static size_t shipped_lessons(char paths[][512], size_t max)
{
	DIR *dir = opendir(SOURCE_DIR "/lessons");
	cr_assert_not_null(dir);
	struct dirent *entry;
	size_t count = 0;
	while ((entry = readdir(dir)) && count < max) {
		size_t len = strlen(entry->d_name);
		if (len > 7 && strcmp(entry->d_name + len - 7, ".lesson") == 0)
			snprintf(paths[count++], 512, "%s/lessons/%s", SOURCE_DIR, entry->d_name);
	}
	closedir(dir);
	qsort(paths, count, 512, (int (*)(const void *, const void *))strcmp);
	return count;
}

static void expect_every_lesson_golden(bool host)
{
	static char paths[64][512];
	size_t count = shipped_lessons(paths, 64);
	cr_assert_gt(count, 0);
	for (size_t i = 0; i < count; i++) {
		char golden[600];
		const char *base = strrchr(paths[i], '/') + 1;
		/* A lesson whose host run differs (skipped steps, loopback for
		 * INADDR_ANY) has a second golden trace, NAME.host.trace. */
		snprintf(golden, sizeof golden, "%s/traces/%.*s.host.trace", SOURCE_DIR,
			 (int)(strlen(base) - 7), base);
		if (!host || access(golden, R_OK) != 0)
			snprintf(golden, sizeof golden, "%s/traces/%.*s.trace", SOURCE_DIR,
				 (int)(strlen(base) - 7), base);
		cr_expect_eq(access(golden, R_OK), 0, "%s has no golden trace %s", paths[i],
			     golden);
		if (access(golden, R_OK) == 0)
			expect_golden(paths[i], golden, host);
	}
}

Test(cli, every_lesson_matches_its_golden_trace, .timeout = 120)
{
	expect_every_lesson_golden(false);
}

Test(cli, every_lesson_matches_its_golden_trace_on_the_host_path, .timeout = 120)
{
	expect_every_lesson_golden(true);
}

Test(cli, replay_prints_what_the_run_printed)
{
	char *trace = temp_path(".jsonl");
	/* A trace holds events, not the lesson's text: the terse transcript. */
	struct result run_result = SOCKLAB("run", "--terse", "--trace", trace, "01");
	cr_assert_eq(run_result.code, 0);
	struct result replay = SOCKLAB("replay", "--plain", trace);
	cr_expect_eq(replay.code, 0, "%s", replay.err);
	cr_expect_str_eq(replay.out, run_result.out);
	result_done(&run_result);
	result_done(&replay);
	unlink(trace);
	free(trace);
}

Test(cli, host_path_says_so_and_maps_the_port)
{
	struct result result = SOCKLAB("run", "--plain", "--host", "01");
	cr_expect_eq(result.code, 0, "%s%s", result.out, result.err);
	cr_expect(strstr(result.out,
			 "sandbox: host network (--host given); lesson ports mapped\n") != NULL,
		  "%s", result.out);
	cr_expect(strstr(result.out, "port: the lesson's 65432 is ") != NULL);
	result_done(&result);
}

/* As on Ubuntu 24.04, where the user namespace is made but the network
 * namespace is refused: `unshare -Ur`, then user.max_net_namespaces=0. */
Test(cli, a_refused_network_namespace_falls_back_with_its_cause_and_cure)
{
	if (access("/usr/bin/unshare", X_OK) != 0)
		cr_skip_test("no /usr/bin/unshare (util-linux) here");
	struct result probe = run((char *const[]){ "/usr/bin/unshare", "-Ur", "/bin/true", NULL });
	if (probe.code != 0) {
		cr_log_warn("unshare -Ur refused here: %s", probe.err);
		result_done(&probe);
		cr_skip_test("no user namespace for `unshare -Ur` here");
	}
	result_done(&probe);
	struct result result = run((char *const[]){
		"/usr/bin/unshare", "-Ur", "/bin/sh", "-c",
		"echo 0 > /proc/sys/user/max_net_namespaces && exec \"$0\" run --plain 01",
		SOCKLAB_BINARY, NULL });
	const char *cause =
		"private network namespace refused (user.max_net_namespaces is 0 here, or in a "
		"parent namespace: `sudo sysctl -w user.max_net_namespaces=15000` raises it)";
	char line[512];
	snprintf(line, sizeof line, "socklab: %s — running on the host's loopback\n", cause);
	cr_expect_eq(result.code, 0, "%s%s", result.out, result.err);
	cr_expect_str_eq(result.err, line);
	snprintf(line, sizeof line, "sandbox: host network (%s); lesson ports mapped\n", cause);
	cr_expect(strstr(result.out, line) != NULL, "%s", result.out);
	result_done(&result);
}

Test(cli, an_unmet_expectation_exits_1_with_file_and_line)
{
	char *lesson = temp_path(".lesson");
	static const char text[] = "title: wrong on purpose\n"
				   "step client: c = socket(AF_INET, SOCK_STREAM)\n"
				   "step client: connect(c, 127.0.0.1:65432)\n"
				   "  expect: 0\n";
	write_text(lesson, text, sizeof text - 1);
	struct result result = SOCKLAB("run", "--plain", lesson);
	cr_expect_eq(result.code, 1);
	char *expected;
	cr_assert_geq(asprintf(&expected,
			       "  FAILED %s:3: expected 0, kernel says -1 ECONNREFUSED (Connection "
			       "refused)\n",
			       lesson),
		      0);
	cr_expect(strstr(result.out, expected) != NULL, "%s", result.out);
	free(expected);
	result_done(&result);
	unlink(lesson);
	free(lesson);
}

Test(cli, a_program_that_makes_another_call_than_the_step_says_fails_the_step, .timeout = 60)
{
	char *lesson = temp_path(".lesson");
	static const char text[] =
		"title: the server's calls, in the wrong order\n"
		"program server: python3 " SOURCE_DIR "/examples/echo-server.py\n"
		"step server: s = socket(AF_INET, SOCK_STREAM)\n"
		"  expect: 3\n"
		"step server: listen(s, 128)\n";
	write_text(lesson, text, sizeof text - 1);
	/* Not a lesson shipped with socklab: its program runs when allowed. */
	struct result result = SOCKLAB("run", "--plain", "--allow-programs", lesson);
	if (strstr(result.out, "sandbox: host"))
		cr_skip("programs need the private namespace, and this run is on the host");
	cr_expect_eq(result.code, 1, "%s%s", result.out, result.err);
	char *expected;
	cr_assert_geq(
		asprintf(
			&expected,
			"  FAILED %s:5: server's program makes bind(3, {AF_INET, 127.0.0.1:65432}, "
			"16) here, not listen(s, 128) (echo-server.py:11: s.bind((HOST, PORT)))\n",
			lesson),
		0);
	cr_expect(strstr(result.out, expected) != NULL, "%s", result.out);
	free(expected);
	result_done(&result);
	unlink(lesson);
	free(lesson);
}

Test(cli, bad_lessons_exit_2_before_running_anything)
{
	/* A NUL byte ends a C string: this text is written by its size. */
	static const char binary[] = "title: t\n\0step server: s = socket(AF_INET, SOCK_STREAM)\n";
	/* One byte over the limit of 1000: "  say: " and 1001 bytes of text. */
	static char over_long[128 + 1001];
	int head = snprintf(over_long, 128,
			    "title: t\nstep server: s = socket(AF_INET, SOCK_STREAM)\n  say: ");
	memset(over_long + head, 'a', 1001);
	strcpy(over_long + head + 1001, "\n");
	static const struct {
		const char *text;
		const char *message;   /* after "PATH:" */
	} cases[] = {
		{ "title: t\nstep server: s = socket(AF_INET, SOCK_STREAM)\nstep server: "
		  "lisen(s, 5)\n",
		  "3:14: unknown call 'lisen' (did you mean 'listen'?)" },
		{ "title: t\nstep server: bind(s, 127.0.0.1:65432)\n",
		  "2:19: unknown socket name 's' (no socket has a name yet on this side)" },
		{ "title: t\nstep sever: s = socket(AF_INET, SOCK_STREAM)\n",
		  "2:6: unknown side 'sever' (sides: server, client)" },
		{ "step server: s = socket(AF_INET, SOCK_STREAM)\n", "1:1: missing 'title:' line" },
		{ "title: t\r\nstep server: s = socket(AF_INET, SOCK_STREAM)\r\n",
		  "1:9: line ends with CRLF (\\r\\n): save the file with Unix line endings (\\n)" },
		{ "", " the file is empty" },
		{ "title: t\nstep server: s = socket(AF_INET)\n",
		  "2:24: socket takes 2 or 3 arguments, got 1: socket(family, type[, protocol])" },
		{ "title: t\nstep server: s = socket(SO_REUSEADDR, SOCK_STREAM)\n",
		  "2:25: SO_REUSEADDR is a socket option (SO_REUSEADDR, SO_LINGER, TCP_NODELAY, "
		  "...), but this argument is an address family (AF_INET, AF_INET6, AF_UNIX)" },
		{ "title: t\nstep server: s = socket(AF_INETT, SOCK_STREAM)\n",
		  "2:25: unknown constant 'AF_INETT': expected an address family (AF_INET, "
		  "AF_INET6, AF_UNIX)" },
		{ "title: t\nstep server: s = socket(AF_INET, SOCK_STREAM)\nstep server: bind(s, "
		  "127.0.0.1)\n",
		  "3:22: malformed address '127.0.0.1': an address needs a port: host:port, "
		  "[v6]:port or /path" },
		{ "title: t\nstep server: s = socket(AF_INET, SOCK_STREAM)\nstep server: bind(s, "
		  "127.0.0.1:65536)\n",
		  "3:22: malformed address '127.0.0.1:65536': the port is out of range (0-65535)" },
		{ "title: t\ncolour: blue\nstep server: s = socket(AF_INET, SOCK_STREAM)\n",
		  "2:1: unknown directive 'colour' (title, sides, intro, step)" },
		{ binary, " a binary file, not a lesson (NUL byte at offset 9)" },
		{ over_long, "3:1001: line is longer than 1000 bytes" },
		{ "title: t\nstep server: s = socket(AF_INET, SOCK_STREAM)\n  say: caf\xc3\x28 "
		  "au lait\n",
		  "3:11: invalid UTF-8" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *lesson = temp_path(".lesson");
		write_text(lesson, cases[i].text,
			   cases[i].text == binary ? sizeof binary - 1 : strlen(cases[i].text));
		struct result result = SOCKLAB("run", "--plain", lesson);
		cr_expect_eq(result.code, 2, "case %zu", i);
		cr_expect_str_eq(result.out, "", "nothing ran");
		char *expected;
		cr_assert_geq(asprintf(&expected, "%s:%s\n", lesson, cases[i].message), 0);
		cr_expect(strstr(result.err, expected) == result.err, "case %zu: got %s, want %s",
			  i, result.err, expected);
		result_done(&result);
		result = SOCKLAB("check", lesson);
		cr_expect_eq(result.code, 2, "case %zu", i);
		cr_expect(strstr(result.err, expected) == result.err,
			  "case %zu: check says %s, want %s", i, result.err, expected);
		free(expected);
		result_done(&result);
		unlink(lesson);
		free(lesson);
	}
}

Test(cli, missing_lesson_is_one_line_and_exit_2)
{
	struct result result = SOCKLAB("run", "--plain", "/nonexistent/x.lesson");
	cr_expect_eq(result.code, 2);
	cr_expect_str_eq(result.err,
			 "/nonexistent/x.lesson: cannot open: No such file or directory\n");
	result_done(&result);
	result = SOCKLAB("run", "--plain", "99");
	cr_expect_eq(result.code, 2);
	cr_expect_str_eq(result.err, "socklab: no lesson '99' (see 'socklab list')\n");
	result_done(&result);
	result = SOCKLAB("check");
	cr_expect_eq(result.code, 2);
	result_done(&result);
}

Test(cli, every_shipped_lesson_checks_clean)
{
	DIR *dir = opendir(SOURCE_DIR "/lessons");
	cr_assert_not_null(dir);
	struct dirent *entry;
	int checked = 0;
	while ((entry = readdir(dir))) {
		size_t len = strlen(entry->d_name);
		if (len < 8 || strcmp(entry->d_name + len - 7, ".lesson"))
			continue;
		char path[512];
		snprintf(path, sizeof path, "%s/lessons/%s", SOURCE_DIR, entry->d_name);
		struct result result = SOCKLAB("check", path);
		cr_expect_eq(result.code, 0, "%s", result.err);
		/* Not even a warning: every step's text fits the 80x24 explanation area. */
		cr_expect_str_eq(result.err, "", "%s", path);
		result_done(&result);
		checked++;
	}
	closedir(dir);
	cr_expect_gt(checked, 0);
}

Test(cli, check_warns_when_an_explanation_does_not_fit_80x24)
{
	char *lesson = temp_path(".lesson");
	char text[4096];
	int len = snprintf(
		text, sizeof text,
		"title: long\nsides: server\n\nstep server: s = socket(AF_INET, SOCK_STREAM)\n"
		"  expect: fd\n  say:\n");
	/* twenty paragraphs: twenty lines and nineteen blank ones */
	for (int i = 1; i <= 20; i++)
		len += snprintf(text + len, sizeof text - (size_t)len,
				"    Line %d of a long explanation.\n%s", i, i < 20 ? "\n" : "");
	write_text(lesson, text, (size_t)len);
	struct result result = SOCKLAB("check", lesson);
	cr_expect_eq(result.code, 0, "a warning, not an error: %s", result.err);
	char *expected;
	cr_assert_geq(asprintf(&expected, "%s:4: the explanation needs 39 lines at 80x24, 7 fit\n",
			       lesson),
		      0);
	cr_expect_str_eq(result.err, expected);
	free(expected);
	result_done(&result);
	unlink(lesson);
	free(lesson);
}

Test(cli, plain_prints_the_lessons_text_and_terse_does_not)
{
	struct result full = SOCKLAB("run", "--plain", "01");
	cr_expect_eq(full.code, 0, "%s", full.err);
	/* The intro, each step's Python line and its explanation. */
	cr_expect(strstr(full.out, "\n  A server and a client, two processes") != NULL, "%s",
		  full.out);
	cr_expect(strstr(full.out, "  python: s.listen(5)\n") != NULL, "%s", full.out);
	cr_expect(strstr(full.out, "\n  listen() turns the socket into a listening socket") != NULL,
		  "%s", full.out);
	struct result terse = SOCKLAB("run", "--terse", "01");
	cr_expect_eq(terse.code, 0, "%s", terse.err);
	cr_expect(strstr(terse.out, "step 3/14  server: listen(ls, 5)\n  = 0\n") != NULL, "%s",
		  terse.out);
	cr_expect(strstr(terse.out, "python") == NULL, "%s", terse.out);
	cr_expect(strstr(terse.out, "listening socket") == NULL, "%s", terse.out);
	result_done(&full);
	result_done(&terse);
}

/* Every process whose command line names `marker`. */
static int processes_naming(const char *marker)
{
	DIR *proc = opendir("/proc");
	struct dirent *entry;
	int found = 0;
	while ((entry = readdir(proc))) {
		char path[300], cmdline[4096];
		if (entry->d_name[0] < '0' || entry->d_name[0] > '9')
			continue;
		snprintf(path, sizeof path, "/proc/%s/cmdline", entry->d_name);
		int fd = open(path, O_RDONLY);
		if (fd < 0)
			continue;
		ssize_t n = read(fd, cmdline, sizeof cmdline - 1);
		close(fd);
		for (ssize_t i = 0; i < n; i++)
			if (cmdline[i] == '\0')
				cmdline[i] = ' ';
		cmdline[n > 0 ? n : 0] = '\0';
		found += strstr(cmdline, marker) != NULL;
	}
	closedir(proc);
	return found;
}

Test(cli, leaves_no_process_and_no_directory_behind)
{
	char *lesson = temp_path("-leftover.lesson");
	char *source = read_file(SOURCE_DIR "/lessons/01-echo.lesson");
	write_text(lesson, source, strlen(source));
	free(source);
	for (int host = 0; host < 2; host++) {
		struct result result = host ? SOCKLAB("run", "--plain", "--host", lesson)
					    : SOCKLAB("run", "--plain", lesson);
		cr_expect_eq(result.code, 0, "%s", result.err);
		result_done(&result);
		/* The puppets were reaped before the controller exited. */
		cr_expect_eq(processes_naming(lesson), 0, "a socklab process outlived its run");
	}
	unlink(lesson);
	free(lesson);
}

/* A lesson that ends with a listener still open and a call still blocked. */
static const char unfinished[] = "title: unfinished\n"
				 "step server: ls = socket(AF_INET, SOCK_STREAM)\n"
				 "step server: bind(ls, 127.0.0.1:65432)\n"
				 "step server: listen(ls, 5)\n"
				 "step server: accept(ls)\n"
				 "  expect: blocks\n";

Test(cli, an_unfinished_lesson_leaves_no_listener_on_the_host)
{
	char *lesson = temp_path("-unfinished.lesson");
	write_text(lesson, unfinished, sizeof unfinished - 1);
	struct result result = SOCKLAB("run", "--plain", "--host", lesson);
	cr_assert_eq(result.code, 0, "%s%s", result.out, result.err);
	const char *mapped = strstr(result.out, "port: the lesson's 65432 is ");
	cr_assert_not_null(mapped);
	unsigned port = (unsigned)atoi(mapped + strlen("port: the lesson's 65432 is "));
	cr_expect_eq(processes_naming(lesson), 0);
	/* /proc/net/tcp lists listeners as local address :PORT (hex), state 0A. */
	char *table = read_file("/proc/net/tcp");
	char needle[32];
	snprintf(needle, sizeof needle, ":%04X 00000000:0000 0A", port);
	cr_expect(strstr(table, needle) == NULL, "a listener on %u outlived the lab", port);
	free(table);
	result_done(&result);
	unlink(lesson);
	free(lesson);
}

static bool setpriv_available(void)
{
	return access("/usr/bin/setpriv", X_OK) == 0;
}

Test(cli, an_ordinary_user_gets_the_private_namespace)
{
	if (geteuid() != 0)
		cr_skip("needs root to drop to another user with setpriv (this run is already "
			"unprivileged)");
	if (!setpriv_available())
		cr_skip("setpriv (util-linux) is not installed");
	struct result result = run((char *const[]){ "/usr/bin/setpriv", "--reuid=65534",
						    "--regid=65534", "--clear-groups",
						    SOCKLAB_BINARY, "run", "--plain", "01", NULL });
	cr_expect_eq(result.code, 0, "%s%s", result.out, result.err);
	if (strstr(result.out, "sandbox: host network"))
		cr_skip("this system refuses unprivileged user namespaces: %s",
			strstr(result.out, "sandbox: "));
	cr_expect(strstr(result.out, "sandbox: private netns\n") != NULL, "%s", result.out);
	cr_expect(strstr(result.out, "every expectation met") != NULL);
	result_done(&result);
}

Test(cli, an_ordinary_user_on_the_host_path_works_too)
{
	if (geteuid() != 0 || !setpriv_available())
		cr_skip("needs root and setpriv to drop to another user");
	struct result result = run((char *const[]){
		"/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
		SOCKLAB_BINARY, "run", "--plain", "--host", "01", NULL });
	cr_expect_eq(result.code, 0, "%s%s", result.out, result.err);
	cr_expect(strstr(result.out, "every expectation met") != NULL, "%s", result.out);
	result_done(&result);
}

/* A lesson or a trace the user may not read: one line, exit 2. Root reads
 * any file whatever its mode, so as root the command drops to nobody. */
Test(cli, an_unreadable_lesson_or_trace_is_one_line_and_exit_2)
{
	bool root = geteuid() == 0;
	if (root && !setpriv_available())
		cr_skip("setpriv (util-linux) is not installed: root reads a file of mode 000, so "
			"the case cannot be made");
	char *lesson = temp_path("-unreadable.lesson");
	static const char text[] = "title: t\nstep server: s = socket(AF_INET, SOCK_STREAM)\n";
	write_text(lesson, text, sizeof text - 1);
	char *trace = temp_path("-unreadable.jsonl");
	write_text(trace, "{\"socklab_trace\":1}\n", 20);
	cr_assert_eq(chmod(lesson, 0), 0);
	cr_assert_eq(chmod(trace, 0), 0);
	struct {
		char *argv[4];
		const char *prefix;    /* before "PATH: cannot open" */
		const char *path;
	} cases[] = {
		{ { "check", lesson, NULL }, "", lesson },
		{ { "run", "--plain", lesson, NULL }, "", lesson },
		{ { "replay", "--plain", trace, NULL }, "socklab: ", trace },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *argv[10] = { "/usr/bin/setpriv", "--reuid=65534", "--regid=65534",
				   "--clear-groups" };
		int count = root ? 4 : 0;
		argv[count++] = SOCKLAB_BINARY;
		for (int a = 0; cases[i].argv[a]; a++)
			argv[count++] = cases[i].argv[a];
		argv[count] = NULL;
		struct result result = run(argv);
		cr_expect_eq(result.code, 2, "case %zu (%s): exit %d", i, cases[i].argv[0],
			     result.code);
		cr_expect_str_eq(result.out, "", "case %zu: nothing on stdout", i);
		char *expected;
		cr_assert_geq(asprintf(&expected, "%s%s: cannot open: Permission denied\n",
				       cases[i].prefix, cases[i].path),
			      0);
		cr_expect_str_eq(result.err, expected, "case %zu", i);
		free(expected);
		result_done(&result);
	}
	unlink(lesson);
	unlink(trace);
	free(lesson);
	free(trace);
}

/* Starts socklab with stdout on a pipe; returns its pid and the pipe. */
static pid_t spawn_socklab(char *const argv[], int *out_fd)
{
	int out_pipe[2];
	cr_assert_eq(pipe2(out_pipe, O_CLOEXEC), 0);
	posix_spawn_file_actions_t actions;
	posix_spawn_file_actions_init(&actions);
	posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
	posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
	pid_t pid;
	cr_assert_eq(posix_spawn(&pid, argv[0], &actions, NULL, argv, environ), 0);
	posix_spawn_file_actions_destroy(&actions);
	close(out_pipe[1]);
	*out_fd = out_pipe[0];
	return pid;
}

/* Reads from fd until `marker` has appeared (or EOF); returns all read. */
static char *read_until(int fd, const char *marker)
{
	size_t len = 0, capacity = 1 << 16;
	char *text = calloc(1, capacity);
	while (!strstr(text, marker) && len < capacity - 1) {
		ssize_t n = read(fd, text + len, capacity - 1 - len);
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	return text;
}

/* A lesson that waits (up to 5 s) for a state that never comes, so a
 * signal finds it in the middle of a step. */
static const char waits_long[] = "title: waits\n"
				 "step server: ls = socket(AF_INET, SOCK_STREAM)\n"
				 "step server: listen(ls, 5)\n"
				 "step server: conn = accept(ls)\n"
				 "  expect: blocks\n"
				 "step server: close(ls)\n"
				 "  expect: server ls TIME-WAIT within 5000ms\n";

Test(cli, a_stop_signal_mid_step_ends_the_run_cleanly)
{
	static const int signals[] = { SIGINT, SIGTERM, SIGHUP };
	for (size_t i = 0; i < sizeof signals / sizeof signals[0]; i++) {
		for (int host = 0; host < 2; host++) {
			char *lesson = temp_path("-signal.lesson");
			write_text(lesson, waits_long, sizeof waits_long - 1);
			int out;
			pid_t pid = host
				? spawn_socklab((char *const[]){ SOCKLAB_BINARY, "run", "--plain",
								 "--host", lesson, NULL },
						&out)
				: spawn_socklab((char *const[]){ SOCKLAB_BINARY, "run", "--plain",
								 lesson, NULL },
						&out);
			char *seen = read_until(out, "step 3/4");
			cr_assert(strstr(seen, "step 3/4") != NULL, "%s", seen);
			struct timespec sent, ended;
			clock_gettime(CLOCK_MONOTONIC, &sent);
			kill(pid, signals[i]);
			int status;
			waitpid(pid, &status, 0);
			clock_gettime(CLOCK_MONOTONIC, &ended);
			char *rest = read_until(out, "\x01");
			close(out);
			cr_expect(WIFSIGNALED(status) && WTERMSIG(status) == signals[i],
				  "socklab ends by the signal it got (status %#x)", status);
			/* Not a speed figure: without the interrupt the step would wait
			 * its full 5 s for a state that never comes. */
			cr_expect_lt(ended.tv_sec - sent.tv_sec, 4,
				     "the signal cut the 5 s wait short");
			cr_expect_eq(processes_naming(lesson), 0,
				     "a puppet outlived the controller");
			free(seen);
			free(rest);
			unlink(lesson);
			free(lesson);
		}
	}
}

Test(cli, free_play_runs_typed_calls_and_explains_refusals)
{
	static const char input[] = "client: c = socket(AF_INET, SOCK_STREAM)\n"
				    "client: conect(c, 127.0.0.1:65433)\n"
				    "client: connect(c, 127.0.0.1:65433)\n"
				    "server: close(7)\n";
	struct result result =
		run_with_input((char *const[]){ SOCKLAB_BINARY, "play", "--plain", NULL }, input);
	/* The refused line makes the script's status 2, as `run` says of a bad lesson; the
	 * rest still runs. */
	cr_expect_eq(result.code, 2, "%s", result.err);
	cr_expect(strstr(result.out,
			 "<stdin>:2:9: unknown call 'conect' (did you mean 'connect'?)\n") != NULL,
		  "%s", result.out);
	cr_expect(strstr(result.out,
			 "  = -1 ECONNREFUSED (Connection refused)\n"
			 "  why: nothing was in LISTEN on 127.0.0.1:65433") != NULL,
		  "%s", result.out);
	cr_expect(strstr(result.out,
			 "  = -1 EBADF (Bad file descriptor)\n"
			 "  why: the lab refused the call: fd 7 is not one of this side's sockets "
			 "(no call of this side returned it)\n") != NULL,
		  "%s", result.out);
	result_done(&result);
}

/* A transcript without what only one path has (the sandbox line, the wire,
 * the port map), ports as P and runs of spaces as one: what both paths
 * must show alike. Returns a malloc'd string. */
static char *both_paths_text(const char *transcript)
{
	char *text = malloc(strlen(transcript) + 1), *to = text;
	for (const char *line = transcript; *line;) {
		const char *end = strchr(line, '\n');
		size_t length = end ? (size_t)(end - line) + 1 : strlen(line);
		bool only_one_path = strncmp(line, "sandbox:", 8) == 0
			|| strncmp(line, "wire:", 5) == 0 || strncmp(line, "port:", 5) == 0
			|| strncmp(line, "  wire ", 7) == 0;
		for (size_t i = 0; i < length && !only_one_path; i++) {
			if (line[i] == ':' && i + 1 < length && line[i + 1] >= '0'
			    && line[i + 1] <= '9') {
				*to++ = ':';
				*to++ = 'P';
				while (i + 1 < length && line[i + 1] >= '0' && line[i + 1] <= '9')
					i++;
			} else if (line[i] != ' ' || to == text || to[-1] != ' ') {
				*to++ = line[i];
			}
		}
		line += length;
	}
	*to = '\0';
	return text;
}

Test(cli, free_play_shows_the_same_on_both_paths)
{
	static const char input[] = "server: s = socket(AF_INET, SOCK_STREAM)\n"
				    "server: bind(s, 127.0.0.1:65432)\n"
				    "server: listen(s, 5)\n"
				    "server: conn = accept(s)\n"
				    "client: c = socket(AF_INET, SOCK_STREAM)\n"
				    "client: connect(c, 127.0.0.1:65432)\n"
				    "client: sendall(c, \"hi\")\n"
				    "server: recv(conn, 10)\n"
				    "client: close(c)\n"
				    "server: recv(conn, 10)\n";
	struct result host =
		run_with_input((char *const[]){ SOCKLAB_BINARY, "play", "--plain", "--host", NULL },
			       input);
	struct result private_path =
		run_with_input((char *const[]){ SOCKLAB_BINARY, "play", "--plain", NULL }, input);
	cr_expect_eq(host.code, 0, "%s", host.err);
	cr_expect_eq(private_path.code, 0, "%s", private_path.err);
	char *host_text = both_paths_text(host.out),
	     *private_text = both_paths_text(private_path.out);
	cr_expect(strstr(host_text, "ESTABLISHED") != NULL, "%s", host.out);
	cr_expect_str_eq(host_text, private_text);
	free(host_text);
	free(private_text);
	result_done(&host);
	result_done(&private_path);
}

Test(cli, what_was_played_becomes_a_lesson_that_replays)
{
	char *lesson = temp_path("-played.lesson");
	char *input;
	cr_assert_geq(asprintf(&input,
			       "server: s = socket(AF_INET, SOCK_STREAM)\n"
			       "server: bind(s, 127.0.0.1:65432)\n"
			       "server: listen(s, 5)\n"
			       "server: conn = accept(s)\n"
			       "client: c = socket(AF_INET, SOCK_STREAM)\n"
			       "client: connect(c, 127.0.0.1:65432)\n"
			       "client: sendall(c, \"hi\\x00\")\n"
			       "server: recv(conn, 10)\n"
			       "client: connect(c, 127.0.0.1:65432)\n"
			       "w %s\n", lesson), 0);
	struct result result =
		run_with_input((char *const[]){ SOCKLAB_BINARY, "play", "--plain", NULL }, input);
	cr_expect_eq(result.code, 0, "%s", result.err);
	result_done(&result);
	char *text = read_file(lesson);
	cr_expect(strstr(text, "step server: conn = accept(s)\n  expect: blocks\n") != NULL, "%s",
		  text);
	cr_expect(strstr(text, "  then: server returns fd\n") != NULL, "%s", text);
	cr_expect(strstr(text, "  expect: \"hi\\x00\"\n") != NULL, "%s", text);
	cr_expect(strstr(text, "  expect: -1 EISCONN\n") != NULL, "%s", text);
	free(text);
	result = SOCKLAB("check", lesson);
	cr_expect_eq(result.code, 0, "%s", result.err);
	result_done(&result);
	result = SOCKLAB("run", "--plain", lesson);
	cr_expect_eq(result.code, 0, "%s", result.out);
	result_done(&result);
	unlink(lesson);
	free(lesson);
	free(input);
}

Test(cli, every_bad_command_line_is_one_clear_message_and_exit_2)
{
	char *big = temp_path("-big.lesson");
	FILE *file = fopen(big, "w");
	cr_assert_not_null(file);
	for (int i = 0; i < 10 * 1024; i++)
		fputs("# a comment line of a lesson that has grown far too large to be one "
		      "############################################################################"
		      "############################################################################"
		      "############################################################################"
		      "############################################################################"
		      "############################################################################"
		      "############################################################################"
		      "############################################################################"
		      "############################################################################"
		      "############################################################################"
		      "############################################################################"
		      "###################\n",
		      file);
	fclose(file);
	char *broken = temp_path("-broken.jsonl");
	write_text(broken, "{\"socklab_trace\":1,\n", 20);
	char *version = temp_path("-version.jsonl");
	write_text(version, "{\"socklab_trace\":7}\n", 20);
	struct {
		char *argv[7];
		const char *first_line;
	} cases[] = {
		{ { "run", "--trace", NULL }, "socklab run: --trace needs a value\n" },
		{ { "run", "--bogus", "01", NULL }, "socklab run: unknown option '--bogus'\n" },
		{ { "run", NULL }, "socklab run: which lesson? (see socklab list)\n" },
		{ { "run", "--plain", "01", "02", NULL },
		  "socklab run: one lesson at a time, got 2\n" },
		{ { "run", "--plain", "/tmp", NULL }, "/tmp: is a directory, not a lesson file\n" },
		{ { "run", "--plain", "--trace", "/nonexistent/dir/x.jsonl", "01", NULL },
		  "socklab: /nonexistent/dir/x.jsonl: cannot create: No such file or directory\n" },
		{ { "check", big, NULL }, NULL },
		{ { "replay", "/nonexistent", NULL },
		  "socklab: /nonexistent: cannot open: No such file or directory\n" },
		{ { "replay", broken, NULL }, NULL },
		{ { "replay", "--plain", version, NULL }, NULL },
		{ { "replay", "--plain", "/nonexistent/x.jsonl", NULL },
		  "socklab: /nonexistent/x.jsonl: cannot open: No such file or directory\n" },
		{ { "run", "--plain", "--pcap", "/nonexistent-dir/x.pcap", "01-echo", NULL },
		  NULL },
		{ { "step", "--plain", "--server", "true", NULL },
		  "socklab step: which program is the client? (--client 'COMMAND')\n" },
		{ { "run", "--plain", "--no-wire", "--pcap", "/tmp/x.pcap", "01-echo", NULL },
		  "socklab run: --pcap writes the packets --no-wire leaves uncaptured: use one "
		  "of them\n" },
		{ { "replay", NULL },
		  "socklab replay: which trace?\nusage: socklab replay [--plain] FILE\n" },
		{ { "list", "extra", NULL }, "socklab list: takes no argument, got 'extra'\n" },
		{ { "play", "--bogus", NULL },
		  "socklab play: unknown option '--bogus'\nusage: socklab play [--plain] "
		  "[--host]\n" },
		{ { "normalise", NULL },
		  "usage: socklab normalise TRACE   (prints the golden form)\n" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *argv[8] = { SOCKLAB_BINARY };
		for (int a = 0; cases[i].argv[a]; a++)
			argv[a + 1] = cases[i].argv[a];
		struct result result = run(argv);
		cr_expect_eq(result.code, 2, "case %zu (%s): exit %d", i, cases[i].argv[0],
			     result.code);
		cr_expect_str_eq(result.out, "", "case %zu: nothing on stdout", i);
		const char *newline = strchr(result.err, '\n');
		cr_expect(newline != NULL, "case %zu: a message", i);
		if (cases[i].first_line)
			cr_expect(strncmp(result.err, cases[i].first_line,
					  strlen(cases[i].first_line)) == 0,
				  "case %zu: got %s", i, result.err);
		result_done(&result);
	}
	struct result result = SOCKLAB("check", big);
	char *expected;
	cr_assert_geq(asprintf(&expected, "%s: too large for a lesson (", big), 0);
	cr_expect(strncmp(result.err, expected, strlen(expected)) == 0, "%s", result.err);
	free(expected);
	result_done(&result);
	result = SOCKLAB("replay", broken);
	cr_assert_geq(asprintf(&expected, "socklab: %s:1: broken JSON: ", broken), 0);
	cr_expect(strncmp(result.err, expected, strlen(expected)) == 0, "%s", result.err);
	free(expected);
	result_done(&result);
	result = SOCKLAB("replay", version);
	cr_assert_geq(asprintf(&expected,
			       "socklab: %s:1: not a socklab trace of this version (version 7",
			       version),
		      0);
	cr_expect(strncmp(result.err, expected, strlen(expected)) == 0, "%s", result.err);
	free(expected);
	result_done(&result);
	/* The pcap file is opened after the puppets start but before the first
	 * step: the run ends there with this one line and no transcript. */
	result = SOCKLAB("run", "--plain", "--pcap", "/nonexistent-dir/x.pcap", "01-echo");
	cr_expect_str_eq(
		result.err,
		"socklab: pcap file: /nonexistent-dir/x.pcap: No such file or directory\n");
	result_done(&result);
	unlink(big);
	unlink(broken);
	unlink(version);
	free(big);
	free(broken);
	free(version);
}

/* Whether `text` holds `first`, then `second` later on. */
static bool in_order(const char *text, const char *first, const char *second)
{
	const char *at = strstr(text, first);
	return at && strstr(at + strlen(first), second);
}

Test(cli, hold_lets_each_segment_go_one_at_a_time_with_the_states_between, .timeout = 60)
{
	struct result result = SOCKLAB("run", "--plain", "--hold", "01");
	cr_assert_eq(result.code, 0, "%s%s", result.out, result.err);
	const char *held = strstr(result.out, "held: ");
	cr_assert_not_null(held, "%s", result.out);
	if (strncmp(held, "held: segments are not held", 27) == 0)
		cr_skip("%.*s", (int)strcspn(held, "\n"), held);
	/* Loopback's hidden states, each between two releases. */
	cr_expect(in_order(result.out, "held  client -> server SYN seq 0", "SYN-SENT"), "%s",
		  result.out);
	cr_expect(
		in_order(
			result.out,
			"then release() (the oldest held segment)\n  wire  client -> server   SYN ",
			"SYN-RECV"),
		"%s", result.out);
	cr_expect(strstr(result.out, "FIN-WAIT-1") && strstr(result.out, "FIN-WAIT-2")
			  && strstr(result.out, "LAST-ACK"),
		  "%s", result.out);
	cr_expect(
		strstr(result.out,
		       "expectations not checked: the lesson was written for a free wire (--hold)"),
		"%s", result.out);
	result_done(&result);
	/* Where nothing can be held, --hold says why and the lesson runs on a free
	 * wire, checked. */
	result = SOCKLAB("run", "--plain", "--hold", "--host", "01");
	cr_assert_eq(result.code, 0, "%s%s", result.out, result.err);
	cr_expect(strstr(result.out,
			 "held: segments are not held: that needs the lab's private network "
			 "namespace\n"),
		  "%s", result.out);
	cr_expect(strstr(result.out, "every expectation met"), "%s", result.out);
	result_done(&result);
}

Test(cli, pcap_holds_the_handshake_and_both_fins)
{
	char *pcap_path = temp_path(".cap");
	struct result result = SOCKLAB("run", "--plain", "--pcap", pcap_path, "01");
	cr_assert_eq(result.code, 0, "%s%s", result.out, result.err);
	if (strstr(result.out, "wire: no packets"))
		cr_skip("no capture on this system: %s", strstr(result.out, "wire: "));
	result_done(&result);
	char error[PCAP_ERRBUF_SIZE];
	pcap_t *file = pcap_open_offline(pcap_path, error);
	cr_assert_not_null(file, "%s", error);
	struct capture_flows *flows = capture_flows_new();
	struct pcap_pkthdr *header;
	const unsigned char *frame;
	int syn = 0, syn_ack = 0, handshake_ack = 0, fins = 0, data = 0;
	while (pcap_next_ex(file, &header, &frame) == 1) {
		struct lab_packet packet;
		if (capture_decode(frame, header->caplen, pcap_datalink(file), flows,
				   &packet) != CAPTURE_DECODED)
			continue;
		syn += strcmp(packet.flags, "SYN") == 0;
		syn_ack += strcmp(packet.flags, "SYN-ACK") == 0;
		handshake_ack +=
			strcmp(packet.flags, "ACK") == 0 && packet.seq == 1 && packet.ack == 1;
		fins += strstr(packet.flags, "FIN") != NULL;
		data += packet.payload_length == 12;
	}
	pcap_close(file);
	capture_flows_free(flows);
	cr_expect_eq(syn, 1);
	cr_expect_eq(syn_ack, 1);
	cr_expect_geq(handshake_ack, 1, "the handshake's last ACK");
	cr_expect_eq(fins, 2, "one FIN from each end");
	cr_expect_eq(data, 2, "Hello, world and its echo");
	unlink(pcap_path);
	free(pcap_path);
}

/* Host-path working directories of this process's children: socklab-PID-*. */
static int workdirs_of(pid_t pid)
{
	char prefix[64];
	snprintf(prefix, sizeof prefix, "socklab-%d-", (int)pid);
	DIR *dir = opendir("/tmp");
	struct dirent *entry;
	int found = 0;
	while (dir && (entry = readdir(dir)))
		found += strncmp(entry->d_name, prefix, strlen(prefix)) == 0;
	if (dir)
		closedir(dir);
	return found;
}

Test(cli, sigkill_leaves_no_process_and_the_next_run_clears_its_directory)
{
	for (int host = 0; host < 2; host++) {
		char *lesson = temp_path("-sigkill.lesson");
		write_text(lesson, waits_long, sizeof waits_long - 1);
		int out;
		pid_t pid = host ? spawn_socklab((char *const[]){ SOCKLAB_BINARY, "run", "--plain",
								  "--host", lesson, NULL },
						 &out)
				 : spawn_socklab((char *const[]){ SOCKLAB_BINARY, "run", "--plain",
								  lesson, NULL },
						 &out);
		char *seen = read_until(out, "step 3/4");
		cr_assert(strstr(seen, "step 3/4") != NULL, "%s", seen);
		kill(pid, SIGKILL);
		int status;
		waitpid(pid, &status, 0);
		close(out);
		/* The puppets follow their controller (PR_SET_PDEATHSIG): wait for
		 * them to be gone, as the kernel delivers that signal to each. */
		for (int tries = 0; processes_naming(lesson) > 0 && tries < 2000; tries++) {
			struct timespec pause = { .tv_nsec = 1000000 };
			nanosleep(&pause, NULL);
		}
		cr_expect_eq(processes_naming(lesson), 0,
			     "a puppet outlived a SIGKILLed controller");
		if (host) {
			/* SIGKILL cannot be caught: the host path's directory stays until
			 * the next lab of this user clears it (the private path has none). */
			struct result next = SOCKLAB("run", "--plain", "--host", "01");
			cr_expect_eq(next.code, 0);
			result_done(&next);
		}
		cr_expect_eq(workdirs_of(pid), 0,
			     "a temporary directory of the killed run remains");
		free(seen);
		unlink(lesson);
		free(lesson);
	}
}

Test(cli, quiz_from_stdin_scores_predictions_and_progress_keeps_it)
{
	/* Progress of its own: other tests record other lessons, and the
	 * listing's columns follow the longest name. */
	char state[128];
	snprintf(state, sizeof state, "%s/quiz", state_home);   /* removed with it */
	setenv("XDG_STATE_HOME", state, 1);
	/* Lesson 01 step 1: socket() returns 3. Answer every choice in turn
	 * until the score says right: what matters is that a right answer
	 * counts and a wrong one does not. */
	struct result result = run_with_input((char *const[]){ SOCKLAB_BINARY, "run", "--plain",
							       "--quiz", "01", NULL },
					      "1\n");
	cr_expect_eq(result.code, 0, "%s", result.err);
	cr_expect(strstr(result.out,
			 "predict step 1/14  server: ls = socket(AF_INET, SOCK_STREAM)") != NULL,
		  "%s", result.out);
	cr_expect(strstr(result.out, "quiz: 0 of 1 right\n") != NULL
			  || strstr(result.out, "quiz: 1 of 1 right\n") != NULL,
		  "one step was asked (stdin ran out after it): %s", result.out);
	result_done(&result);
	result = SOCKLAB("progress");
	cr_expect_eq(result.code, 0);
	cr_expect(strstr(result.out, "01-echo            14/14 steps  done         quiz ") != NULL,
		  "%s", result.out);
	result_done(&result);
	result = SOCKLAB("progress", "--reset");
	cr_expect_eq(result.code, 0);
	result_done(&result);
	result = SOCKLAB("progress");
	cr_expect(strstr(result.out, "01-echo            0/14 steps  not started") != NULL, "%s",
		  result.out);
	result_done(&result);
}

Test(cli, step_runs_two_unmodified_programs_call_by_call, .timeout = 60)
{
	struct result result =
		SOCKLAB("step", "--plain", "--server", ECHO_SERVER, "--client", ECHO_CLIENT);
	cr_expect_eq(result.code, 0, "%s", result.err);
	/* In turn: the server runs until accept blocks, then the client; a
	 * call the kernel woke comes right after the call that woke it. */
	static const char *const in_order[] = {
		"server: socket(AF_INET, SOCK_STREAM, IPPROTO_IP)\n  = 3",
		"server: bind(3, {AF_INET, 127.0.0.1:65432}, 16)\n  = 0",
		"server: listen(3, 5)\n  = 0",
		"server: accept4(3, ..., [16], 0)\n  ... blocked in the kernel",
		"client: connect(3, {AF_INET, 127.0.0.1:65432}, 16)\n  = 0",
		"in accept queue, no fd",
		"then the kernel woke server: accept4(",
		"client: sendto(3, \"Hello, world\", 12, 0, NULL, 0)\n  = 12",
		"= 12 \"Hello, world\"",
		"client exited with code 0",
		"TIME-WAIT",
		"server exited with code 0",
	};
	const char *at = result.out;
	for (size_t i = 0; i < sizeof in_order / sizeof in_order[0]; i++) {
		const char *found = strstr(at, in_order[i]);
		cr_expect(found != NULL, "missing, or out of order: %s\n%s", in_order[i],
			  result.out);
		if (found)
			at = found;
	}
	cr_expect(strstr(result.out, "LISTEN") != NULL);
	cr_expect(strstr(result.out, "ESTABLISHED") != NULL);
	result_done(&result);
}

Test(cli, step_shows_the_tutorials_python_lines, .timeout = 60)
{
	if (access("/usr/bin/python3", X_OK) != 0)
		cr_skip("python3 is not installed: the tutorial's programs cannot run");
	struct result result =
		SOCKLAB("step", "--plain", "--server",
			"/usr/bin/python3 " SOURCE_DIR "/examples/echo-server.py", "--client",
			"/usr/bin/python3 " SOURCE_DIR "/examples/echo-client.py");
	cr_expect_eq(result.code, 0, "%s", result.err);
	cr_expect(strstr(result.out,
			 "server: echo-server.py:12: s.listen()\nstep 3/3  server: listen(3, 128)")
			  != NULL,
		  "s.listen() is listen() with Python's default backlog\n%s", result.out);
	cr_expect(strstr(result.out, "conn, addr = s.accept()\nstep") != NULL);
	cr_expect(strstr(result.out, "server: accept4(3,") != NULL, "accept() is accept4()");
	cr_expect(strstr(result.out, "client: sendto(3, \"Hello, world\", 12, 0, NULL, 0)") != NULL,
		  "sendall is sendto");
	cr_expect(strstr(result.out, "client: close(3)") != NULL, "leaving with is close()");
	cr_expect(strstr(result.out, "TIME-WAIT") != NULL);
	cr_expect(strstr(result.out, "client printed: \"Received b'Hello, world'") != NULL, "%s",
		  result.out);
	result_done(&result);
}

Test(cli, step_says_so_when_a_program_does_not_exist)
{
	struct result result = SOCKLAB("step", "--plain", "--server", "socklab-no-such-program",
				       "--client", ECHO_CLIENT);
	cr_expect_eq(result.code, 2);
	cr_expect(strstr(result.err,
			 "server: cannot run 'socklab-no-such-program': no such program in PATH")
			  != NULL,
		  "%s", result.err);
	cr_expect_eq(processes_naming(ECHO_CLIENT), 0, "nothing left behind");
	result_done(&result);
}
