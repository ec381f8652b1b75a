/* consent, through the real binary: a lesson not shipped with socklab
 * starts no program unasked (run --plain refuses, check says what it
 * would run, --allow-programs lets it), a bare name is never a file of
 * the current directory, and run's own options name their problem.
 * Each case gives its exact message and exit status; where a program
 * must not run, it would have made a file, and the file is not there. */
#include <criterion/criterion.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

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

/* Runs socklab with `args` in directory `cwd`, stdin /dev/null, progress
 * in cwd (never the tester's home), no $SOCKLAB_LESSONS. */
static struct result run_in(const char *cwd, char *const args[])
{
	char *argv[16] = { SOCKLAB_BINARY };
	int count = 1;
	for (int i = 0; args[i] && count < 15; i++)
		argv[count++] = args[i];
	argv[count] = NULL;
	int out_pipe[2], err_pipe[2];
	cr_assert_eq(pipe2(out_pipe, O_CLOEXEC), 0);
	cr_assert_eq(pipe2(err_pipe, O_CLOEXEC), 0);
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);
		if (chdir(cwd) < 0 || null < 0 || dup2(null, 0) < 0 || dup2(out_pipe[1], 1) < 0
		    || dup2(err_pipe[1], 2) < 0)
			_exit(127);
		setenv("XDG_STATE_HOME", cwd, 1);
		unsetenv("SOCKLAB_LESSONS");
		execv(argv[0], argv);
		_exit(127);
	}
	close(out_pipe[1]);
	close(err_pipe[1]);
	struct result result = { .out = slurp(out_pipe[0]) };
	result.err = slurp(err_pipe[0]);
	close(out_pipe[0]);
	close(err_pipe[0]);
	int status;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	result.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	return result;
}

#define SOCKLAB_IN(cwd, ...) run_in((cwd), (char *const[]){ __VA_ARGS__, NULL })

static void result_done(struct result *result)
{
	free(result->out);
	free(result->err);
}

/* A directory of the test's own, removed with what it holds at the end. */
static char *make_dir(void)
{
	char *dir = strdup("/tmp/socklab-consent-XXXXXX");
	cr_assert_not_null(mkdtemp(dir), "mkdtemp: %s", strerror(errno));
	return dir;
}

static int remove_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st, (void)type, (void)ftw;
	return remove(path);
}

static void remove_dir(char *dir)
{
	nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
	free(dir);
}

static char *path_in(const char *dir, const char *name)
{
	char *path;
	cr_assert_geq(asprintf(&path, "%s/%s", dir, name), 0);
	return path;
}

static void write_file(const char *path, const char *text)
{
	FILE *file = fopen(path, "w");
	cr_assert_not_null(file, "%s: %s", path, strerror(errno));
	fputs(text, file);
	fclose(file);
}

static bool exists(const char *path)
{
	return access(path, F_OK) == 0;
}

/* A lesson whose server is a program that makes the file `marker`. */
static char *hostile_lesson(const char *dir, const char *name, const char *marker)
{
	char *path = path_in(dir, name), *text;
	cr_assert_geq(asprintf(&text,
			       "title: a shared lesson\n"
			       "program server: sh -c 'touch %s'\n"
			       "step server: s = socket(AF_INET, SOCK_STREAM)\n"
			       "  expect: 3\n",
			       marker), 0);
	write_file(path, text);
	free(text);
	return path;
}

Test(consent, run_plain_refuses_a_lesson_from_elsewhere_that_starts_programs)
{
	char *dir = make_dir(), *marker = path_in(dir, "owned");
	char *lesson = hostile_lesson(dir, "shared.lesson", marker);
	char *expected;
	cr_assert_geq(
		asprintf(&expected,
			 "socklab: %s is not a lesson shipped with socklab and starts programs "
			 "(server: sh -c 'touch %s'): run them with --allow-programs\n",
			 lesson, marker),
		0);
	/* --quiz reads answers on stdin: the same path, the same refusal. */
	const char *const modes[] = { "--plain", "--quiz" };
	for (size_t i = 0; i < 2; i++) {
		struct result result = SOCKLAB_IN(dir, "run", "--plain", (char *)modes[i], lesson);
		cr_expect_eq(result.code, 2, "%s: exit %d", modes[i], result.code);
		cr_expect_str_eq(result.out, "", "%s: nothing ran", modes[i]);
		cr_expect_str_eq(result.err, expected, "%s", modes[i]);
		cr_expect_not(exists(marker), "%s: the program ran", modes[i]);
		result_done(&result);
	}
	free(expected);
	free(lesson);
	free(marker);
	remove_dir(dir);
}

Test(consent, allow_programs_lets_them_run, .timeout = 60)
{
	char *dir = make_dir(), *lesson = path_in(dir, "exit7.lesson");
	write_file(lesson, "title: a program that ends at once\n"
			   "program server: sh -c 'exit 7'\n"
			   "step server: s = socket(AF_INET, SOCK_STREAM)\n");
	struct result result = SOCKLAB_IN(dir, "run", "--plain", "--allow-programs", lesson);
	if (strstr(result.out, "sandbox: host"))
		cr_skip("programs need the private namespace, and this run is on the host");
	cr_expect_eq(result.code, 1, "%s%s", result.out, result.err);
	cr_expect(strstr(result.out, "server's program has ended (exited with code 7)") != NULL,
		  "the shell ran the quoted script: %s", result.out);
	result_done(&result);
	free(lesson);
	remove_dir(dir);
}

Test(consent, check_says_what_a_lesson_from_elsewhere_runs)
{
	char *dir = make_dir(), *marker = path_in(dir, "owned");
	char *lesson = hostile_lesson(dir, "shared.lesson", marker);
	struct result result = SOCKLAB_IN(dir, "check", lesson);
	cr_expect_eq(result.code, 0, "still a valid lesson: %s", result.err);
	char *expected;
	cr_assert_geq(asprintf(&expected, "%s: runs programs: server: sh -c 'touch %s'\n", lesson,
			       marker),
		      0);
	cr_expect_str_eq(result.out, expected);
	cr_expect_str_eq(result.err, "");
	cr_expect_not(exists(marker));
	free(expected);
	result_done(&result);
	/* ./ and ../ words are named from the lesson's directory, as they run. */
	char *relative = path_in(dir, "relative.lesson");
	write_file(relative, "title: t\nprogram client: python3 ../examples/echo-client.py\n"
			     "step server: s = socket(AF_INET, SOCK_STREAM)\n");
	result = SOCKLAB_IN(dir, "check", "relative.lesson");
	cr_expect_eq(result.code, 0, "%s", result.err);
	cr_assert_geq(asprintf(&expected,
			       "relative.lesson: runs programs: client: python3 "
			       "%s/../examples/echo-client.py\n",
			       dir),
		      0);
	cr_expect_str_eq(result.out, expected);
	free(expected);
	result_done(&result);
	/* socklab's own lesson 18 runs its programs unasked: nothing to say. */
	result = SOCKLAB_IN(dir, "check", SOURCE_DIR "/lessons/18-programs.lesson");
	cr_expect_eq(result.code, 0, "%s", result.err);
	cr_expect_str_eq(result.out, "");
	result_done(&result);
	free(relative);
	free(lesson);
	free(marker);
	remove_dir(dir);
}

Test(consent, a_command_a_shell_would_expand_is_refused_where_it_stands)
{
	char *dir = make_dir(), *lesson = path_in(dir, "smuggle.lesson");
	/* Split at blanks only, this was `sh -c 'echo ${IFS}owned>file'`. */
	write_file(lesson, "title: smuggled\n"
			   "program server: sh -c echo${IFS}owned>file\n"
			   "step server: s = socket(AF_INET, SOCK_STREAM)\n");
	char *expected;
	cr_assert_geq(asprintf(&expected,
			       "%s:2:27: program server: '$' means nothing here: no shell runs the "
			       "command (quote it, '$', to pass it as it is)\n",
			       lesson),
		      0);
	const char *const commands[] = { "check", "run" };
	for (size_t i = 0; i < 2; i++) {
		struct result result = i == 0
			? SOCKLAB_IN(dir, "check", lesson)
			: SOCKLAB_IN(dir, "run", "--plain", "--allow-programs", lesson);
		cr_expect_eq(result.code, 2, "%s", commands[i]);
		cr_expect_str_eq(result.err, expected, "%s", commands[i]);
		cr_expect_str_eq(result.out, "", "%s", commands[i]);
		result_done(&result);
	}
	char *file = path_in(dir, "file");
	cr_expect_not(exists(file), "nothing ran");
	free(file);
	free(expected);
	free(lesson);
	remove_dir(dir);
}

Test(consent, a_bare_name_is_a_shipped_lesson_never_a_file_here)
{
	char *dir = make_dir(), *marker = path_in(dir, "owned");
	char *planted = hostile_lesson(dir, "01", marker);
	struct result result = SOCKLAB_IN(dir, "run", "--plain", "01");
	cr_expect_eq(result.code, 0, "%s", result.err);
	cr_expect(strncmp(result.out, "socklab 01-echo: ", 17) == 0,
		  "the shipped lesson 01 ran: %.80s", result.out);
	cr_expect_not(exists(marker), "./01 ran");
	result_done(&result);
	/* A path says so with a slash, and is a lesson from elsewhere. */
	result = SOCKLAB_IN(dir, "run", "--plain", "./01");
	cr_expect_eq(result.code, 2);
	cr_expect(strncmp(result.err,
			  "socklab: ./01 is not a lesson shipped with socklab and starts programs",
			  70) == 0,
		  "%s", result.err);
	cr_expect_not(exists(marker), "./01 ran");
	result_done(&result);
	/* A name of no lesson, that is a file here: how to say the file. */
	char *mine = path_in(dir, "mine.lesson");
	write_file(mine, "title: mine\nstep server: s = socket(AF_INET, SOCK_STREAM)\n");
	result = SOCKLAB_IN(dir, "run", "--plain", "mine.lesson");
	cr_expect_eq(result.code, 2);
	cr_expect_str_eq(result.err,
			 "socklab: no lesson 'mine.lesson' (see 'socklab list'); for the file "
			 "here, say ./mine.lesson\n");
	cr_expect_str_eq(result.out, "");
	result_done(&result);
	result = SOCKLAB_IN(dir, "run", "--plain", "./mine.lesson");
	cr_expect_eq(result.code, 0, "a lesson without programs runs from a path: %s", result.err);
	result_done(&result);
	free(mine);
	free(planted);
	free(marker);
	remove_dir(dir);
}

static const char run_usage[] = "usage: socklab run [--plain] [--terse] [--pace SECONDS] [--pause "
				"STEP:SECONDS] [--quiz] [--hold] [--trace FILE] [--pcap FILE] "
				"[--no-wire] [--host] [--big] [--allow-programs] LESSON\n";

Test(consent, run_options_name_their_problem)
{
	char *dir = make_dir();
	static const struct {
		char *args[4];
		const char *first_line;
	} cases[] = {
		{ { "run", "-x", "01" }, "socklab run: unknown option '-x'\n" },
		{ { "run", "--bogus", "01" }, "socklab run: unknown option '--bogus'\n" },
		{ { "run", "--trace" }, "socklab run: --trace needs a value\n" },
		{ { "run", "--plain", "--pcap" }, "socklab run: --pcap needs a value\n" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct result result = run_in(dir, cases[i].args);
		cr_expect_eq(result.code, 2, "case %zu", i);
		char *expected;
		cr_assert_geq(asprintf(&expected, "%s%s", cases[i].first_line, run_usage), 0);
		cr_expect_str_eq(result.err, expected, "case %zu", i);
		cr_expect_str_eq(result.out, "", "case %zu", i);
		free(expected);
		result_done(&result);
	}
	remove_dir(dir);
}

Test(consent, trace_and_pcap_never_share_a_file_nor_overwrite_the_lesson)
{
	char *dir = make_dir(), *out = path_in(dir, "out");
	/* One file, spelt two ways. */
	struct result result =
		SOCKLAB_IN(dir, "run", "--plain", "--trace", out, "--pcap", "./out", "01");
	cr_expect_eq(result.code, 2);
	cr_expect_str_eq(
		result.err,
		"socklab run: --trace and --pcap name the same file './out': give each its own\n");
	cr_expect_str_eq(result.out, "");
	cr_expect_not(exists(out), "a file was written");
	result_done(&result);
	char *lesson = path_in(dir, "mine.lesson");
	static const char text[] = "title: mine\nstep server: s = socket(AF_INET, SOCK_STREAM)\n";
	write_file(lesson, text);
	const char *const flags[] = { "--trace", "--pcap" };
	for (size_t i = 0; i < 2; i++) {
		result = SOCKLAB_IN(dir, "run", "--plain", (char *)flags[i], "mine.lesson",
				    "./mine.lesson");
		cr_expect_eq(result.code, 2, "%s", flags[i]);
		char *expected;
		cr_assert_geq(asprintf(&expected,
				       "socklab run: %s would overwrite the lesson 'mine.lesson' "
				       "itself: name another file\n",
				       flags[i]),
			      0);
		cr_expect_str_eq(result.err, expected);
		free(expected);
		result_done(&result);
		FILE *file = fopen(lesson, "r");
		char kept[256] = "";
		cr_assert_not_null(file);
		kept[fread(kept, 1, sizeof kept - 1, file)] = '\0';
		fclose(file);
		cr_expect_str_eq(kept, text, "%s: the lesson was overwritten", flags[i]);
	}
	free(lesson);
	free(out);
	remove_dir(dir);
}

Test(consent, step_says_a_program_stopped_at_the_cap_once, .timeout = 60)
{
	char *dir = make_dir(), *script = path_in(dir, "many.sh");
	write_file(script, "for i in $(seq 70); do sleep 1 & done\nwait\n");
	char *command;
	cr_assert_geq(asprintf(&command, "sh %s", script), 0);
	struct result result =
		SOCKLAB_IN(dir, "step", "--plain", "--server", command, "--client", "true");
	cr_expect_eq(result.code, 0, "%s", result.err);
	const char *message = "server stopped by the lab: the program started more than 64 "
			      "processes (the lab's cap)\n";
	const char *first = strstr(result.out, message);
	cr_expect(first != NULL, "%s", result.out);
	cr_expect(first == NULL || strstr(first + 1, message) == NULL, "said more than once: %s",
		  result.out);
	cr_expect(strstr(result.out, "client exited with code 0\n") != NULL, "%s", result.out);
	result_done(&result);
	free(command);
	free(script);
	remove_dir(dir);
}
