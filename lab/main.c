/* main — the command line: parses it and picks a frontend. Nothing else. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "consent.h"
#include "lesson.h"
#include "fit.h"
#include "pace.h"
#include "plain.h"
#include "progress.h"
#include "quiz.h"
#include "play.h"
#include "sandbox.h"
#include "step.h"
#include "session.h"
#include "text.h"
#include "trace.h"
#include "tui/tui.h"

enum exit_code { EXIT_OK = 0, EXIT_EXPECTATION = 1, EXIT_USAGE = 2 };

static volatile sig_atomic_t stop_signal;

static void on_stop_signal(int signal_number)
{
	stop_signal = signal_number;
}

/* Ctrl-C, kill and a dropped ssh session all end the run the same way:
 * between steps, through the one cleanup path. */
static void catch_stop_signals(void)
{
	struct sigaction action = { .sa_handler = on_stop_signal };
	sigemptyset(&action.sa_mask);
	sigaction(SIGINT, &action, NULL);
	sigaction(SIGTERM, &action, NULL);
	sigaction(SIGHUP, &action, NULL);
}

/* Dies by the signal that stopped us, as a well-behaved program does. */
static int exit_for_signal(int code)
{
	int signal_number = stop_signal ? stop_signal : code > 128 && code < 160 ? code - 128 : 0;
	if (!signal_number)
		return code;
	signal(signal_number, SIG_DFL);
	raise(signal_number);
	return 128 + signal_number;
}

/* One lab's processes share the CPU the controller started on: a request
 * and its reply then cost ~11 us instead of ~54 us of cross-CPU wake-ups,
 * and several labs on one machine still spread over the CPUs. */
static void pin_to_current_cpu(void)
{
	int cpu = sched_getcpu();
	if (cpu < 0)
		return;
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof set, &set);
}

/* sandbox_enter, and the one line that says why the private path was
 * refused and what cures it, before any screen is drawn. */
static int enter_sandbox(struct sandbox *sandbox, bool force_host, char **err)
{
	if (sandbox_enter(sandbox, force_host, err) < 0)
		return -1;
	const char *notice = sandbox_notice(sandbox);
	if (notice)
		fprintf(stderr, "socklab: %s\n", notice);
	return 0;
}

/* ---- output ---------------------------------------------------------- */

/* Everything the lab prints goes through the terminal filter (text.h): a
 * lesson's title, a trace's strings and a program's lines are someone
 * else's bytes. Curses draws on the real stdout with the same rule. */
static struct text_terminal stdout_filter, stderr_filter;
static FILE *real_stdout;   /* while stdout is the filter */

static void filter_output(void)
{
	FILE *err = text_terminal_open(&stderr_filter, STDERR_FILENO);
	if (err) {
		setvbuf(err, NULL, _IONBF, 0);   /* as unbuffered as stderr */
		stderr = err;
	}
	fflush(stdout);
	FILE *out = text_terminal_open(&stdout_filter, STDOUT_FILENO);
	if (out) {
		real_stdout = stdout;
		stdout = out;
	}
}

/* Before curses takes the terminal: its stdout is the real one. */
static void output_for_curses(void)
{
	if (!real_stdout)
		return;
	fflush(stdout);
	stdout = real_stdout;
	real_stdout = NULL;
}

/* A write that failed is the run's failure: one line, exit 2 (1 stays 1:
 * the lesson failed already). */
static int finish_output(int code)
{
	int error = 0;
	if (real_stdout) {
		FILE *out = stdout;
		stdout = real_stdout;
		real_stdout = NULL;
		if (fclose(out) != 0 && !stdout_filter.error)
			stdout_filter.error = errno ? errno : EIO;
		error = stdout_filter.error;
	} else if (fflush(stdout) != 0 || ferror(stdout)) {
		error = errno ? errno : EIO;
	}
	if (!error)
		return code;
	fprintf(stderr, "socklab: cannot write the output: %s\n", strerror(error));
	return code == EXIT_EXPECTATION ? code : EXIT_USAGE;
}

/* ---- lessons on disk ------------------------------------------------- */

static bool is_directory(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Where socklab's own lessons are: beside an installed binary, the
 * source tree of a build, the configured install path. */
static const char *shipped_lesson_dir(void)
{
	static char found[PATH_MAX];
	char exe[PATH_MAX - 64];   /* leaves room for the suffix below */
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n > 0) {
		exe[n] = '\0';
		char *slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			snprintf(found, sizeof found, "%s/../share/socklab/lessons", exe);
			if (is_directory(found))
				return found;
		}
	}
	if (is_directory(SOCKLAB_SOURCE_LESSON_DIR))
		return SOCKLAB_SOURCE_LESSON_DIR;
	return SOCKLAB_LESSON_DIR;
}

/* Where the lessons are: $SOCKLAB_LESSONS, else socklab's own. */
static const char *lesson_dir(void)
{
	const char *env = getenv("SOCKLAB_LESSONS");
	return env && *env ? env : shipped_lesson_dir();
}

/* A lesson shipped with socklab starts its programs unasked; any other
 * (one in $SOCKLAB_LESSONS elsewhere, a path) only with consent (consent.h). */
static bool lesson_is_shipped(const char *path)
{
	const char *const dirs[] = { shipped_lesson_dir(), SOCKLAB_LESSON_DIR };
	return consent_is_shipped(path, dirs, sizeof dirs / sizeof dirs[0]);
}

static int compare_strings(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void free_list(char **paths, size_t count);

/* The lesson files of the lesson directory, sorted; caller frees. NULL
 * with errno ENOMEM when out of memory (not a short list). */
static char **list_lessons(size_t *count)
{
	const char *dir_path = lesson_dir();
	*count = 0;
	DIR *dir = opendir(dir_path);
	if (!dir) {
		if (errno != ENOMEM)
			errno = 0;   /* no directory: no lessons */
		return NULL;
	}
	char **paths = NULL;
	size_t capacity = 0;
	struct dirent *entry;
	while ((entry = readdir(dir))) {
		size_t len = strlen(entry->d_name);
		if (len < 8 || strcmp(entry->d_name + len - 7, ".lesson") != 0)
			continue;
		if (*count == capacity) {
			capacity = capacity ? capacity * 2 : 16;
			char **grown = realloc(paths, capacity * sizeof *grown);
			if (!grown)
				goto out_of_memory;
			paths = grown;
		}
		if (asprintf(&paths[*count], "%s/%s", dir_path, entry->d_name) < 0)
			goto out_of_memory;
		(*count)++;
	}
	closedir(dir);
	errno = 0;
	if (paths)
		qsort(paths, *count, sizeof *paths, compare_strings);
	return paths;
out_of_memory:
	closedir(dir);
	free_list(paths, *count);
	*count = 0;
	errno = ENOMEM;
	return NULL;
}

static void free_list(char **paths, size_t count)
{
	for (size_t i = 0; i < count; i++)
		free(paths[i]);
	free(paths);
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

/* LESSON is a path (it has a slash: "./01", "course/x.lesson"), else a
 * number ("1", "01") or a name ("01-echo", "echo") of the lesson
 * directory: never a file of the current directory, whose "01" would
 * stand in for the lesson the student asked for. Returns 1 with *found
 * (caller frees), 0 when no lesson has that name, -1 out of memory. */
static int resolve_lesson(const char *given, char **found)
{
	*found = NULL;
	if (strchr(given, '/'))
		return (*found = strdup(given)) ? 1 : -1;
	size_t count;
	char **paths = list_lessons(&count);
	if (!paths && errno == ENOMEM)
		return -1;
	char *match_path = NULL;
	bool numeric = given[0] && strspn(given, "0123456789") == strlen(given);
	for (size_t i = 0; i < count && !match_path; i++) {
		const char *base = base_name(paths[i]);
		size_t base_len = strlen(base) - strlen(".lesson");
		const char *dash = strchr(base, '-');
		bool match = numeric ? atoi(base) == atoi(given) && isdigit((unsigned char)base[0])
				     : (strlen(given) == base_len && strncmp(base, given, base_len) == 0)
					       || (dash && strlen(given) == base_len - (size_t)(dash + 1 - base)
						   && strncmp(dash + 1, given, strlen(given)) == 0);
		if (match && !(match_path = strdup(paths[i]))) {
			free_list(paths, count);
			return -1;
		}
	}
	free_list(paths, count);
	*found = match_path;
	return match_path ? 1 : 0;
}

/* The lesson LESSON names, loaded, its programs allowed when it is
 * shipped or `allow_programs`; NULL when it cannot be (said on stderr). */
static struct lesson *load_or_report(const char *given, bool allow_programs)
{
	char *path = NULL;
	int resolved = resolve_lesson(given, &path);
	if (resolved <= 0) {
		if (resolved < 0)
			fprintf(stderr, "socklab: out of memory\n");
		else if (access(given, F_OK) == 0)
			fprintf(stderr, "socklab: no lesson '%s' (see 'socklab list'); for the file here, say ./%s\n", given,
				given);
		else
			fprintf(stderr, "socklab: no lesson '%s' (see 'socklab list')\n", given);
		return NULL;
	}
	struct diagnostics diag;
	diagnostics_init(&diag, path);
	struct lesson *lesson = lesson_load(path, &diag);
	for (size_t i = 0; i < diag.count; i++)
		fprintf(stderr, "%s\n", diag.messages[i]);
	diagnostics_done(&diag);
	if (lesson)
		lesson->programs_allowed = allow_programs || lesson_is_shipped(path);
	free(path);
	return lesson;
}

/* ---- commands ------------------------------------------------------- */

static int cmd_list(int argc, char **argv)
{
	if (argc > 1) {
		fprintf(stderr, "socklab list: takes no argument, got '%s'\n", argv[1]);
		return EXIT_USAGE;
	}
	size_t count;
	char **paths = list_lessons(&count);
	if (count == 0) {
		fprintf(stderr, "socklab: no lessons found in %s\n", lesson_dir());
		free(paths);
		return EXIT_USAGE;
	}
	/* The titles line up after the longest name. */
	int width = 0;
	for (size_t i = 0; i < count; i++) {
		int length = (int)strcspn(base_name(paths[i]), ".");
		width = length > width ? length : width;
	}
	for (size_t i = 0; i < count; i++) {
		struct diagnostics diag;
		diagnostics_init(&diag, paths[i]);
		struct lesson *lesson = lesson_load(paths[i], &diag);
		printf("%-*s  %s\n", width, lesson ? lesson->name : base_name(paths[i]),
		       lesson ? lesson->title : "(broken: run socklab check)");
		lesson_free(lesson);
		diagnostics_done(&diag);
	}
	free_list(paths, count);
	return EXIT_OK;
}

static int cmd_check(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: socklab check FILE...\n");
		return EXIT_USAGE;
	}
	int code = EXIT_OK;
	for (int i = 1; i < argc; i++) {
		struct diagnostics diag;
		diagnostics_init(&diag, argv[i]);
		struct lesson *lesson = lesson_load(argv[i], &diag);
		for (size_t k = 0; k < diag.count; k++)
			fprintf(stderr, "%s\n", diag.messages[k]);
		if (!lesson)
			code = EXIT_USAGE;
		/* Valid, and worth knowing before running it: what it would start. */
		char *programs = lesson && consent_has_programs(lesson) && !lesson_is_shipped(argv[i])
					 ? consent_describe(lesson, "; ") : NULL;
		if (programs)
			printf("%s: runs programs: %s\n", argv[i], programs);
		free(programs);
		if (lesson)
			fit_warn_lesson(stderr, lesson);   /* a warning: the lesson still runs */
		lesson_free(lesson);
		diagnostics_done(&diag);
	}
	return code;
}

struct run_options {
	bool plain;
	bool terse;             /* --terse: the transcript without the lesson's prose (for diffs) */
	bool force_host;
	bool big;
	bool no_wire;
	bool quiz;
	bool hold;              /* every TCP segment waits for the student */
	bool allow_programs;    /* a lesson not shipped with socklab may start its programs */
	const char *trace_path;
	const char *pcap_path;
	struct pace pace;       /* --pace, --pause: time between steps (--plain) */
};

/* The student's progress, or NULL (said once on stderr) when it cannot be
 * read: the lab works without it. */
static struct progress *load_progress(void)
{
	struct progress *progress = NULL;
	char *warning = NULL, *err = NULL;
	if (progress_load(&progress, NULL, &warning, &err) < 0) {
		fprintf(stderr, "socklab: progress not kept: %s\n", err ? err : "out of memory");
		free(err);
		progress = NULL;
	}
	if (warning) {
		fprintf(stderr, "socklab: %s\n", warning);
		free(warning);
	}
	return progress;
}

static void save_progress(struct progress *progress)
{
	char *warning = NULL, *err = NULL;
	if (progress && progress_save(progress, &warning, &err) < 0)
		fprintf(stderr, "socklab: progress not saved: %s\n", err ? err : "out of memory");
	if (warning)
		fprintf(stderr, "socklab: %s\n", warning);
	free(warning);
	free(err);
}

static int wait_in_session(void *session, int ms, char **err)
{
	return session_wait(session, ms, err);
}

enum { HOLD_RELEASES_MAX = 64 };   /* segments let go after one step in --plain --hold */

static int run_plain(struct session *session, struct trace_writer *trace, bool quiz, bool terse,
		     struct progress *progress, const struct pace *pace)
{
	const struct run_info *info = session_info(session);
	const struct lesson *lesson = session_lesson(session);
	struct quiz_tally tally = { 0 };
	char *err = NULL;
	plain_print_info(stdout, info);
	if (!terse && lesson->intro) {
		fputc('\n', stdout);
		plain_print_prose(stdout, NULL, lesson->intro);
	}
	if (trace && trace_write_info(trace, info, &err) < 0)
		goto failed;
	for (;;) {
		size_t before;
		session_events(session, &before);
		/* Predict, then step: the questions come before the call runs. */
		struct quiz_turn turn;
		bool asked = quiz && session_steps_done(session) < lesson->step_count;
		if (asked && quiz_plain_ask(stdin, stdout, lesson, session_steps_done(session), &turn) != 0)
			quiz = asked = false;   /* no more answers on stdin: step on without asking */
		if (session_steps_done(session) < lesson->step_count
		    && pace_wait(pace, session_steps_done(session) + 1, lesson->step_count, &stop_signal, wait_in_session,
				 session, &err) < 0)
			goto failed;
		if (stop_signal)
			break;
		int result = session_step(session, &err);
		if (result < 0)
			goto failed;
		if (result > 0 || stop_signal)
			break;
		/* --hold: each segment the step sent, let go one at a time, with
		 * the states between (a bound: a wire that never goes quiet). */
		for (int released = 0; lesson->hold_forced && released < HOLD_RELEASES_MAX && !stop_signal; released++) {
			int wire = session_wire_next(session, false, &err);
			if (wire < 0)
				goto failed;
			if (wire > 0)
				break;
		}
		size_t count;
		const struct lab_event *events = session_events(session, &count);
		plain_print_step_in(stdout, info, events, before, count - before);
		if (!terse && count > before && events[before].step >= 1 && events[before].step <= lesson->step_count)
			plain_print_step_prose(stdout, &lesson->steps[events[before].step - 1]);
		if (asked)
			quiz_plain_tell(stdout, &turn, events + before, count - before, &tally);
		for (size_t i = before; trace && i < count; i++)
			if (trace_write_event(trace, &events[i], &err) < 0)
				goto failed;
		if (fflush(stdout) != 0)
			break;   /* nobody reads the transcript: main says why */
	}
	size_t count;
	const struct lab_event *events = session_events(session, &count);
	plain_print_summary(stdout, info, events, count);
	if (tally.asked)
		printf("quiz: %u of %u right\n", tally.right, tally.asked);
	progress_record_step(progress, lesson->name, session_steps_done(session), lesson->step_count,
			     session_failure_count(session), NULL);
	if (tally.asked)
		progress_record_quiz(progress, lesson->name, tally.right, tally.asked, NULL);
	save_progress(progress);
	return session_failure_count(session) ? EXIT_EXPECTATION : EXIT_OK;
failed:
	fprintf(stderr, "socklab: %s\n", err ? err : "out of memory");
	free(err);
	return EXIT_USAGE;
}

static void usage_run(FILE *out)
{
	fprintf(out, "usage: socklab run [--plain [--pace SECONDS] [--pause STEP:SECONDS]] [--terse] [--quiz] [--hold] [--trace FILE] [--pcap FILE] [--no-wire] [--host] [--big] "
		     "[--allow-programs] LESSON\n");
}

/* Whether two paths name one file: the same regular file when both exist
 * (two outputs to /dev/null clash with nothing), else the same resolved
 * directory and name (a file not made yet). */
static bool same_file(const char *a, const char *b)
{
	struct stat sa, sb;
	if (stat(a, &sa) == 0 && stat(b, &sb) == 0)
		return S_ISREG(sa.st_mode) && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
	char dir_a[PATH_MAX], dir_b[PATH_MAX], real_a[PATH_MAX], real_b[PATH_MAX];
	const char *slash_a = strrchr(a, '/'), *slash_b = strrchr(b, '/');
	snprintf(dir_a, sizeof dir_a, "%.*s", slash_a ? (int)(slash_a - a) + 1 : 1, slash_a ? a : ".");
	snprintf(dir_b, sizeof dir_b, "%.*s", slash_b ? (int)(slash_b - b) + 1 : 1, slash_b ? b : ".");
	return realpath(dir_a, real_a) && realpath(dir_b, real_b) && strcmp(real_a, real_b) == 0
	       && strcmp(slash_a ? slash_a + 1 : a, slash_b ? slash_b + 1 : b) == 0;
}

/* What run's files must not be: the lesson itself (one file for two
 * outputs is refused before the lesson is looked for). Returns 0, or -1
 * with the message said. */
static int check_output_files(const struct run_options *run, const char *lesson_path)
{
	const char *const outputs[][2] = { { "--trace", run->trace_path }, { "--pcap", run->pcap_path } };
	for (size_t i = 0; i < 2; i++)
		if (outputs[i][1] && same_file(outputs[i][1], lesson_path)) {
			fprintf(stderr, "socklab run: %s would overwrite the lesson '%s' itself: name another file\n",
				outputs[i][0], outputs[i][1]);
			return -1;
		}
	return 0;
}

/* A lesson from elsewhere that starts programs, run without a question
 * (--plain, a pipe): one line naming them and the flag; exit 2. */
static int refuse_programs(const struct lesson *lesson)
{
	char *programs = consent_describe(lesson, "; ");
	if (!programs) {
		fprintf(stderr, "socklab: out of memory\n");
		return EXIT_USAGE;
	}
	fprintf(stderr, "socklab: %s is not a lesson shipped with socklab and starts programs (%s): "
			"run them with --allow-programs\n", lesson->path, programs);
	free(programs);
	return EXIT_USAGE;
}

static int cmd_run(int argc, char **argv)
{
	static const struct option options[] = {
		{ "plain", no_argument, NULL, 'p' },
		{ "terse", no_argument, NULL, 'T' },
		{ "trace", required_argument, NULL, 't' },
		{ "host", no_argument, NULL, 'H' },
		{ "big", no_argument, NULL, 'b' },
		{ "pcap", required_argument, NULL, 'P' },
		{ "no-wire", no_argument, NULL, 'W' },
		{ "quiz", no_argument, NULL, 'Q' },
		{ "hold", no_argument, NULL, 'D' },
		{ "allow-programs", no_argument, NULL, 'A' },
		{ "pace", required_argument, NULL, 'S' },
		{ "pause", required_argument, NULL, 'U' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct run_options run = { 0 };
	int option;
	optind = 1;
	opterr = 0;   /* our own message, naming the command */
	/* "+": options end at the lesson; ":": a missing value is ':', not '?'. */
	while ((option = getopt_long(argc, argv, "+:", options, NULL)) != -1) {
		switch (option) {
		case 'p': run.plain = true; break;
		case 'T': run.plain = run.terse = true; break;
		case 't': run.trace_path = optarg; break;
		case 'H': run.force_host = true; break;
		case 'b': run.big = true; break;
		case 'P': run.pcap_path = optarg; break;
		case 'W': run.no_wire = true; break;
		case 'Q': run.quiz = true; break;
		case 'D': run.hold = true; break;
		case 'A': run.allow_programs = true; break;
		case 'S':
		case 'U': {
			char why[160];
			if ((option == 'S' ? pace_parse_every : pace_parse_pause)(&run.pace, optarg, why, sizeof why) < 0) {
				fprintf(stderr, "socklab run: %s\n", why);
				return EXIT_USAGE;
			}
			break;
		}
		case 'h': usage_run(stdout); return EXIT_OK;
		case ':':
			fprintf(stderr, "socklab run: %s needs a value\n", argv[optind - 1]);
			usage_run(stderr);
			return EXIT_USAGE;
		default:
			/* A short option has its letter in optopt; a long one only its word. */
			if (optopt > ' ' && optopt < 127)
				fprintf(stderr, "socklab run: unknown option '-%c'\n", optopt);
			else
				fprintf(stderr, "socklab run: unknown option '%s'\n", argv[optind - 1]);
			usage_run(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		if (optind < argc - 1)
			fprintf(stderr, "socklab run: one lesson at a time, got %d\n", argc - optind);
		else
			fprintf(stderr, "socklab run: which lesson? (see socklab list)\n");
		usage_run(stderr);
		return EXIT_USAGE;
	}
	if (run.trace_path && run.pcap_path && same_file(run.trace_path, run.pcap_path)) {
		fprintf(stderr, "socklab run: --trace and --pcap name the same file '%s': give each its own\n", run.pcap_path);
		return EXIT_USAGE;
	}
	if (run.no_wire && run.pcap_path) {
		fprintf(stderr, "socklab run: --pcap writes the packets --no-wire leaves uncaptured: use one of them\n");
		return EXIT_USAGE;
	}
	if (!run.plain && (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))) {
		/* `socklab run 01 | less`, a script, CI: the transcript serves them. */
		fprintf(stderr, "socklab: not a terminal, so printing the transcript (as with --plain)\n");
		run.plain = true;
	}
	if (!run.plain && (run.pace.every_s > 0 || run.pace.pause_count)) {
		fprintf(stderr, "socklab run: --pace and --pause pace the --plain transcript (the TUI has autoplay, key a)\n");
		return EXIT_USAGE;
	}
	struct lesson *lesson = load_or_report(argv[optind], run.allow_programs);
	if (!lesson)
		return EXIT_USAGE;
	if (check_output_files(&run, lesson->path) < 0) {
		lesson_free(lesson);
		return EXIT_USAGE;
	}
	/* The TUI asks; a transcript has no one to ask. */
	if (run.plain && consent_has_programs(lesson) && !lesson->programs_allowed) {
		int code = refuse_programs(lesson);
		lesson_free(lesson);
		return code;
	}
	if (run.hold && !lesson->hold_segments)
		lesson->hold_segments = lesson->hold_forced = true;
	char *err = NULL;
	struct trace_writer *trace = NULL;
	if (run.trace_path && trace_writer_open(&trace, run.trace_path, &err) < 0) {
		fprintf(stderr, "socklab: %s\n", err);
		free(err);
		lesson_free(lesson);
		return EXIT_USAGE;
	}
	pin_to_current_cpu();
	struct sandbox sandbox;
	if (enter_sandbox(&sandbox, run.force_host, &err) < 0) {
		fprintf(stderr, "socklab: %s\n", err);
		free(err);
		trace_writer_close(trace, NULL);
		lesson_free(lesson);
		return EXIT_USAGE;
	}
	int code;
	if (!run.plain) {
		struct tui_options tui = { .big = run.big, .color = getenv("NO_COLOR") == NULL, .quiz = run.quiz,
					   .trace = trace, .pcap_path = run.no_wire ? NULL : run.pcap_path };
		output_for_curses();
		code = tui_run(lesson, NULL, 0, &sandbox, &tui);
	} else {
		struct session *session = NULL;
		catch_stop_signals();
		if (session_new(&session, lesson, &sandbox, &err) < 0
		    || (!run.no_wire && session_capture(session, run.pcap_path, &err) < 0)) {
			fprintf(stderr, "socklab: %s\n", err);
			free(err);
			code = EXIT_USAGE;
		} else {
			session_set_interrupt(session, &stop_signal);
			struct progress *progress = load_progress();
			code = run_plain(session, trace, run.quiz, run.terse, progress, &run.pace);
			progress_free(progress);
		}
		session_free(session);
	}
	if (trace_writer_close(trace, &err) < 0) {
		fprintf(stderr, "socklab: %s\n", err);
		free(err);
		code = EXIT_USAGE;
	}
	sandbox_done(&sandbox);
	lesson_free(lesson);
	return exit_for_signal(code);
}

static int cmd_replay(int argc, char **argv)
{
	int first = 1;
	if (argc > 1 && strcmp(argv[1], "--plain") == 0)
		first = 2;
	if (argc != first + 1) {
		fprintf(stderr, "usage: socklab replay [--plain] FILE\n");
		return EXIT_USAGE;
	}
	struct run_info info;
	struct lab_event *events = NULL;
	size_t count = 0;
	char *err = NULL;
	if (trace_read(argv[first], &info, &events, &count, &err) < 0) {
		fprintf(stderr, "socklab: %s\n", err ? err : "out of memory");
		free(err);
		return EXIT_USAGE;
	}
	plain_print_info(stdout, &info);
	plain_print_log(stdout, &info, events, count);
	plain_print_summary(stdout, &info, events, count);
	size_t failures = 0;
	for (size_t i = 0; i < count; i++) {
		failures += events[i].failure_count;
		lab_event_done(&events[i]);
	}
	free(events);
	return failures ? EXIT_EXPECTATION : EXIT_OK;
}

static int cmd_normalise(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: socklab normalise TRACE   (prints the golden form)\n");
		return EXIT_USAGE;
	}
	char *err = NULL;
	if (trace_normalise(argv[1], stdout, &err) < 0) {
		fprintf(stderr, "socklab: %s\n", err ? err : "out of memory");
		free(err);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

static int cmd_play(int argc, char **argv)
{
	bool plain = false, force_host = false;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--plain") == 0) {
			plain = true;
		} else if (strcmp(argv[i], "--host") == 0) {
			force_host = true;
		} else {
			fprintf(stderr, "usage: socklab play [--plain] [--host]\n");
			return EXIT_USAGE;
		}
	}
	if (!plain && (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)))
		plain = true;   /* calls from a pipe or a script: the transcript serves them */
	char *err = NULL;
	struct sandbox sandbox;
	pin_to_current_cpu();
	if (enter_sandbox(&sandbox, force_host, &err) < 0) {
		fprintf(stderr, "socklab: %s\n", err);
		free(err);
		return EXIT_USAGE;
	}
	int code;
	if (!plain) {
		struct tui_options tui = { .color = getenv("NO_COLOR") == NULL };
		output_for_curses();
		code = tui_play(&sandbox, &tui);
	} else {
		catch_stop_signals();
		code = play_plain(stdin, stdout, &sandbox, &stop_signal);
	}
	sandbox_done(&sandbox);
	return exit_for_signal(code);
}

/* Where the examples live: beside the lessons (installed), or the source tree. */
static void examples_dir(char *out, size_t size)
{
	snprintf(out, size, "%s/../examples", lesson_dir());
	if (!is_directory(out))
		snprintf(out, size, "%s/../examples", SOCKLAB_SOURCE_LESSON_DIR);
}

static int cmd_step(int argc, char **argv)
{
	static const char usage[] = "usage: socklab step [--plain] [--host] [--big] --server 'COMMAND' --client 'COMMAND'\n";
	const char *server = NULL, *client = NULL;
	bool force_host = false, plain = false, big = false;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--server") == 0 && i + 1 < argc)
			server = argv[++i];
		else if (strcmp(argv[i], "--client") == 0 && i + 1 < argc)
			client = argv[++i];
		else if (strcmp(argv[i], "--host") == 0)
			force_host = true;
		else if (strcmp(argv[i], "--plain") == 0)
			plain = true;
		else if (strcmp(argv[i], "--big") == 0)
			big = true;
		else {
			fputs(usage, stderr);
			return EXIT_USAGE;
		}
	}
	if (!server || !client) {
		fprintf(stderr, "socklab step: which program is the %s? (%s 'COMMAND')\n", server ? "client" : "server",
			server ? "--client" : "--server");
		fputs(usage, stderr);
		return EXIT_USAGE;
	}
	if (!plain && (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)))
		plain = true;   /* from a pipe or a script: the transcript serves them */
	char examples[PATH_MAX];
	examples_dir(examples, sizeof examples);
	char *err = NULL;
	struct sandbox sandbox;
	pin_to_current_cpu();
	if (enter_sandbox(&sandbox, force_host, &err) < 0) {
		fprintf(stderr, "socklab: %s\n", err);
		free(err);
		return EXIT_USAGE;
	}
	int code;
	if (plain) {
		catch_stop_signals();
		code = step_plain(server, client, examples, &sandbox, stdout, &stop_signal);
	} else {
		const char *const commands[2] = { server, client };
		struct tui_options tui = { .big = big, .color = getenv("NO_COLOR") == NULL };
		output_for_curses();
		code = tui_step(commands, examples, &sandbox, &tui);
	}
	sandbox_done(&sandbox);
	return exit_for_signal(code);
}

static int cmd_progress(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "--reset") == 0) {
		char *err = NULL;
		if (progress_reset(NULL, &err) < 0) {
			fprintf(stderr, "socklab: %s\n", err ? err : "out of memory");
			free(err);
			return EXIT_USAGE;
		}
		printf("progress cleared\n");
		return EXIT_OK;
	}
	if (argc != 1) {
		fprintf(stderr, "usage: socklab progress [--reset]\n");
		return EXIT_USAGE;
	}
	size_t count;
	char **paths = list_lessons(&count);
	struct progress_lesson *lessons = calloc(count ? count : 1, sizeof *lessons);
	struct lesson **loaded = calloc(count ? count : 1, sizeof *loaded);
	size_t known = 0;
	for (size_t i = 0; lessons && loaded && i < count; i++) {
		struct diagnostics diag;
		diagnostics_init(&diag, paths[i]);
		loaded[i] = lesson_load(paths[i], &diag);
		diagnostics_done(&diag);
		if (loaded[i]) {
			lessons[known].name = loaded[i]->name;
			lessons[known].total_steps = loaded[i]->step_count;
			known++;
		}
	}
	struct progress *progress = load_progress();
	progress_print(stdout, progress, lessons, known);
	progress_free(progress);
	for (size_t i = 0; loaded && i < count; i++)
		lesson_free(loaded[i]);
	free(loaded);
	free(lessons);
	free_list(paths, count);
	return EXIT_OK;
}

static int cmd_menu(void)
{
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "socklab: the lesson menu needs a terminal; the lessons are:\n");
		cmd_list(0, NULL);
		return EXIT_USAGE;
	}
	size_t count;
	char **paths = list_lessons(&count);
	if (count == 0) {
		fprintf(stderr, "socklab: no lessons found in %s\n", lesson_dir());
		free(paths);
		return EXIT_USAGE;
	}
	char *err = NULL;
	struct sandbox sandbox;
	pin_to_current_cpu();
	if (enter_sandbox(&sandbox, false, &err) < 0) {
		fprintf(stderr, "socklab: %s\n", err);
		free(err);
		free_list(paths, count);
		return EXIT_USAGE;
	}
	struct tui_options tui = { .color = getenv("NO_COLOR") == NULL, .menu_shipped = lesson_is_shipped(paths[0]) };
	output_for_curses();
	int code = tui_run(NULL, paths, count, &sandbox, &tui);
	sandbox_done(&sandbox);
	free_list(paths, count);
	return code;
}

static void usage(FILE *out)
{
	fprintf(out,
		"socklab — step through the BSD socket API on the real kernel\n"
		"\n"
		"usage:\n"
		"  socklab                          the lesson menu (curses)\n"
		"  socklab list                     the lessons, one a line\n"
		"  socklab run [--plain] [--terse] [--quiz] [--hold] [--trace FILE] [--pcap FILE] [--no-wire] [--host]\n"
		"              [--big] [--allow-programs] LESSON\n"
		"                                   step through LESSON (a number or a name from socklab list,\n"
		"                                   or a path with a slash: ./mine.lesson);\n"
		"                                   --plain prints a transcript instead of the TUI (each step's\n"
		"                                   result, sockets, Python line and explanation),\n"
		"                                   --terse the transcript without the lesson's text (for diffs),\n"
		"                                   --pace SECONDS waits between its steps, --pause STEP:SECONDS\n"
		"                                   before one (STEP a number or last): the kernel's timers run,\n"
		"                                   --trace records every event as JSON Lines,\n"
		"                                   --pcap writes the packets on lo as a pcap file,\n"
		"                                   --no-wire captures no packets,\n"
		"                                   --quiz asks you to predict each step first (with --plain: answers on stdin),\n"
		"                                   --hold holds every TCP segment until you release it (x; d drops it),\n"
		"                                   --host skips the private network namespace,\n"
		"                                   --big shows the projector screen,\n"
		"                                   --allow-programs lets a lesson not shipped with socklab start\n"
		"                                   its programs (the TUI asks first; --plain refuses without it)\n"
		"  socklab play [--plain] [--host]  free play: type calls (server: s = socket(AF_INET, SOCK_STREAM));\n"
		"                                   'w FILE' writes what you played as a lesson, 'q' quits\n"
		"  socklab step [--plain] [--host] [--big] --server 'CMD' --client 'CMD'\n"
		"                                   run two unmodified programs and step their socket calls:\n"
		"                                   space runs the call shown, c shows the other program's;\n"
		"                                   --plain prints a transcript, server and client in turn\n"
		"  socklab check FILE...            validate lesson files\n"
		"  socklab progress [--reset]       what you have done, one line a lesson (kept in $XDG_STATE_HOME/socklab)\n"
		"  socklab replay [--plain] FILE    print a recorded trace without the kernel\n"
		"  socklab normalise FILE           print a trace in its golden (normalised) form\n"
		"  socklab --help | --version\n"
		"\n"
		"exit status: 0 ok, 1 an expectation failed, 2 bad usage or bad input\n"
		"lessons: %s\n", lesson_dir());
}

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
};

static const struct command commands[] = {
	{ "list", cmd_list },
	{ "run", cmd_run },
	{ "check", cmd_check },
	{ "replay", cmd_replay },
	{ "play", cmd_play },
	{ "progress", cmd_progress },
	{ "step", cmd_step },
	{ "normalise", cmd_normalise },
	{ "normalize", cmd_normalise },
};

static int run_command(int argc, char **argv)
{
	if (argc < 2)
		return cmd_menu();
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("socklab %s\n", SOCKLAB_VERSION);
		return EXIT_OK;
	}
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "socklab: unknown command '%s' (try socklab --help)\n", argv[1]);
	return EXIT_USAGE;
}

int main(int argc, char **argv)
{
	/* A closed stdin, stdout or stderr would hand its number to the next
	 * file the lab opens: /dev/null takes it. A closed stdout is then a
	 * transcript nobody can read. */
	bool closed_stdout = false;
	for (int fd = STDIN_FILENO; fd <= STDERR_FILENO; fd++) {
		if (fcntl(fd, F_GETFD) >= 0)
			continue;
		if (open("/dev/null", fd == STDIN_FILENO ? O_RDONLY : O_WRONLY) != fd)
			return EXIT_USAGE;
		closed_stdout |= fd == STDOUT_FILENO;
	}
	filter_output();
	if (closed_stdout) {
		fprintf(stderr, "socklab: cannot write the output: standard output is closed\n");
		return EXIT_USAGE;
	}
	return finish_output(run_command(argc, argv));
}
