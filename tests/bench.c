/* bench — the figures README lists, printed, never asserted.
 *
 *   bench [STEADY_STEPS]
 *
 * 1. Step overhead (request -> reply -> probe snapshot of both ends) in the
 *    steady state: a connected pair exchanging "ping"/"pong", one call a
 *    step, median and p99.
 * 2. The naive way in the same run: the same steps, each followed by one
 *    `ss -tanpx` process to read the kernel; the ratio of medians.
 * 3. Lesson 01-echo end to end, restarted each round: the time to set up a
 *    fresh namespace and both puppets, and the median step of the lesson.
 * 4. Soak: 1,000 restarts of lesson 01 in one process, open fds and RSS
 *    before and after.
 * 5. The host path's steady-state figure, measured first in a child
 *    because entering the private namespace cannot be undone, and its
 *    ratio to the private path's. `bench STEPS paths` prints these alone.
 * 6. The parts alone: one sock_diag dump of the host's TCP sockets,
 *    entering and renewing the sandbox, holding segments (open, close,
 *    release -> answer held) and draining the capture. `bench STEPS parts`
 *    prints these alone.
 * 7. 8 sides and 100 connections: the step, and the lab's own part of it
 *    (the step less the kernel's dump of the same sockets) against the
 *    dump; `bench STEPS crowded` prints these and the 2-side step alone.
 * 8. Free play's peak RSS over 1,000 steps with 50 sockets open; `bench
 *    STEPS memory` prints it alone.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sched.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "capture.h"
#include "hold.h"
#include "lesson.h"
#include "lesson_po.h"
#include "sandbox.h"
#include "probe.h"
#include "session.h"
#include "tui/tui.h"

extern char **environ;

enum { SETUP_STEPS = 6 };   /* socket, bind, listen, socket, connect, accept */

static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int compare_doubles(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double percentile(double *values, size_t count, double p)
{
	if (count == 0)
		return 0;
	qsort(values, count, sizeof *values, compare_doubles);
	return values[(size_t)(p * (double)(count - 1) + 0.5)];
}

static void pin_to_current_cpu(void)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(sched_getcpu(), &set);
	sched_setaffinity(0, sizeof set, &set);
}

/* One `ss` process, as a frontend that shells out each step would run it. */
static double run_ss(void)
{
	static char *const argv[] = { "ss", "-tanpx", NULL };
	double start = now_us();
	posix_spawn_file_actions_t actions;
	posix_spawn_file_actions_init(&actions);
	posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", 1, 0);
	posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", 1, 0);
	pid_t pid;
	int failed = posix_spawnp(&pid, "ss", &actions, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&actions);
	if (failed)
		return -1;
	waitpid(pid, NULL, 0);
	return now_us() - start;
}

static struct lesson *parse_text(const char *name, const char *text)
{
	struct diagnostics diag;
	diagnostics_init(&diag, name);
	struct lesson *lesson = lesson_parse(name, text, strlen(text), &diag);
	for (size_t i = 0; i < diag.count; i++)
		fprintf(stderr, "%s\n", diag.messages[i]);
	diagnostics_done(&diag);
	return lesson;
}

/* A connected pair, then `exchanges` rounds of ping and pong. */
static struct lesson *steady_lesson(int exchanges)
{
	static const char setup[] = "title: steady state\n"
				    "step server: ls = socket(AF_INET, SOCK_STREAM)\n"
				    "step server: bind(ls, 127.0.0.1:65432)\n"
				    "step server: listen(ls, 5)\n"
				    "step client: c = socket(AF_INET, SOCK_STREAM)\n"
				    "step client: connect(c, 127.0.0.1:65432)\n"
				    "step server: conn = accept(ls)\n";
	static const char exchange[] = "step client: send(c, \"ping\")\n"
				       "step server: recv(conn, 64)\n"
				       "step server: send(conn, \"pong\")\n"
				       "step client: recv(c, 64)\n";
	size_t size = sizeof setup + (size_t)exchanges * (sizeof exchange - 1);
	char *text = malloc(size);
	if (!text)
		return NULL;
	size_t at = sizeof setup - 1;
	memcpy(text, setup, at);
	for (int i = 0; i < exchanges; i++, at += sizeof exchange - 1)
		memcpy(text + at, exchange, sizeof exchange - 1);
	text[at] = '\0';
	struct lesson *lesson = parse_text("steady", text);
	free(text);
	return lesson;
}

/* Eight processes and 100 open connections, then the same ping and pong:
 * the probe's cost must not grow with the steps taken, and only a little
 * with the sockets held. */
static struct lesson *crowded_lesson(int exchanges)
{
	size_t size = 1 << 20;
	char *text = malloc(size);
	if (!text)
		return NULL;
	size_t at = (size_t)snprintf(text, size,
				     "title: crowded\nsides: server c1 c2 c3 c4 c5 c6 c7\n"
				     "step server: ls = socket(AF_INET, SOCK_STREAM)\n"
				     "step server: bind(ls, 127.0.0.1:65432)\n"
				     "step server: listen(ls, 128)\n");
	for (int i = 0; i < 100; i++) {
		/* Only the first accepted connection needs a name (names are few). */
		at += (size_t)snprintf(text + at, size - at,
				       "step c%d: s%d = socket(AF_INET, SOCK_STREAM)\nstep c%d: "
				       "connect(s%d, 127.0.0.1:65432)\n"
				       "step server: %saccept(ls)\n",
				       1 + i % 7, i, 1 + i % 7, i, i == 0 ? "a0 = " : "");
	}
	for (int i = 0; i < exchanges; i++)
		at += (size_t)snprintf(text + at, size - at,
				       "step c1: send(s0, \"ping\")\nstep server: recv(a0, 64)\n"
				       "step server: send(a0, \"pong\")\nstep c1: recv(s0, 64)\n");
	struct lesson *lesson = parse_text("crowded", text);
	free(text);
	return lesson;
}

struct figures {
	double median, p99;
	size_t count;
};

/* A figure means something only if the steps did what they say: every
 * call made and none refused (a port still held in TIME-WAIT by the run
 * before would turn a listener into a refused connect, and the figure
 * into one of refusals). Returns 0, or -1 saying which step failed. */
static int workload_held(struct session *session)
{
	size_t count;
	const struct lab_event *events = session_events(session, &count);
	for (size_t i = 0; i < count; i++) {
		if (events[i].kind != EVENT_NOT_RUN && events[i].kind != EVENT_SKIPPED
		    && events[i].ret != -1)
			continue;
		fprintf(stderr, "bench: the workload failed at step %zu: %s = %ld %s\n",
			events[i].step, events[i].text, events[i].ret,
			events[i].error ? strerrorname_np(events[i].error) : "(not run)");
		return -1;
	}
	return 0;
}

/* A session in a namespace of its own: no socket of an earlier run. */
static int fresh_session(struct session **session, struct lesson *lesson, struct sandbox *sandbox)
{
	char *err = NULL;
	if (sandbox_renew(sandbox, &err) < 0 || session_new(session, lesson, sandbox, &err) < 0) {
		fprintf(stderr, "bench: %s\n", err ? err : "out of memory");
		free(err);
		return -1;
	}
	return 0;
}

/* Steps through `lesson`, timing each step after the first `skip`; with
 * `naive`, each step also runs one ss and the sum is timed instead. */
static int time_steps(struct session *session, size_t skip, size_t limit, bool naive,
		      struct figures *out)
{
	const struct lesson *lesson = session_lesson(session);
	double *times = calloc(lesson->step_count, sizeof *times);
	size_t count = 0;
	char *err = NULL;
	for (size_t index = 0; index < lesson->step_count && count < limit; index++) {
		double start = now_us();
		int result = session_step(session, &err);
		double elapsed = now_us() - start;
		if (result < 0) {
			fprintf(stderr, "bench: %s\n", err);
			return -1;
		}
		if (naive)
			elapsed += run_ss();
		if (index >= skip)
			times[count++] = elapsed;
	}
	out->count = count;
	out->median = percentile(times, count, 0.5);
	out->p99 = percentile(times, count, 0.99);
	free(times);
	return workload_held(session);
}

/* The kernel's part of a snapshot: one sock_diag dump of every TCP socket
 * of the namespace, listeners included, as a step's probe asks for it,
 * timed alone (with the sockets the session holds at that moment). */
static int time_dump(struct figures *out)
{
	enum { DUMPS = 2000 };
	struct probe *probe = NULL;
	struct probe_snapshot snap = { 0 };
	char *err = NULL;
	double *times = calloc(DUMPS, sizeof *times);
	if (!times || probe_open(&probe, &err) < 0) {
		fprintf(stderr, "bench: %s\n", err ? err : "out of memory");
		free(times);
		return -1;
	}
	for (int i = 0; i < DUMPS; i++) {
		probe_snapshot_clear(&snap);
		double start = now_us();
		if (probe_snapshot(probe, PROBE_TCP4, &snap, &err) < 0) {
			fprintf(stderr, "bench: %s\n", err);
			return -1;
		}
		times[i] = now_us() - start;
	}
	out->count = snap.count;   /* the sockets each dump brought */
	out->median = percentile(times, DUMPS, 0.5);
	out->p99 = percentile(times, DUMPS, 0.99);
	probe_snapshot_done(&snap);
	probe_free(probe);
	free(times);
	return 0;
}

/* Steps through `lesson` after `skip` steps; with `dump`, also times the
 * kernel's dump alone at the end, while the lesson's sockets stand. */
static int steady_after(struct lesson *lesson, struct sandbox *sandbox, size_t skip,
			struct figures *out, struct figures *dump)
{
	struct session *session = NULL;
	if (fresh_session(&session, lesson, sandbox) < 0)
		return -1;
	int result = time_steps(session, skip, (size_t)-1, false, out);
	if (result == 0 && dump)
		result = time_dump(dump);

	session_free(session);
	return result;
}

static int steady(struct lesson *lesson, struct sandbox *sandbox, bool naive, bool wire,
		  size_t limit, struct figures *out)
{
	struct session *session = NULL;
	char *err = NULL;
	if (fresh_session(&session, lesson, sandbox) < 0)
		return -1;
	if (wire && session_capture(session, NULL, &err) < 0) {
		fprintf(stderr, "bench: %s\n", err);
		session_free(session);
		return -1;
	}
	int result = time_steps(session, SETUP_STEPS, limit, naive, out);
	session_free(session);
	return result;
}

/* Lesson 01 end to end: restart time and the lesson's own steps. Steps
 * that wait for a kernel timer (`within`) are left out of the step figure. */
static int lesson_rounds(const char *path, struct sandbox *sandbox, int rounds)
{
	struct diagnostics diag;
	diagnostics_init(&diag, path);
	struct lesson *lesson = lesson_load(path, &diag);
	diagnostics_done(&diag);
	if (lesson)
		lesson->programs_allowed = true;   /* the one who runs the benchmark named it */
	struct session *session = NULL;
	char *err = NULL;
	if (!lesson || session_new(&session, lesson, sandbox, &err) < 0) {
		fprintf(stderr, "bench: %s\n", err ? err : "cannot load lesson 01");
		return -1;
	}
	double *restarts = calloc((size_t)rounds, sizeof *restarts);
	double *steps = calloc((size_t)rounds * lesson->step_count, sizeof *steps);
	size_t step_count = 0;
	for (int round = 0; round < rounds; round++) {
		double start = now_us();
		if (session_restart(session, &err) < 0) {
			fprintf(stderr, "bench: %s\n", err);
			return -1;
		}
		restarts[round] = now_us() - start;
		for (size_t index = 0; index < lesson->step_count; index++) {
			bool waits = false;
			for (size_t k = 0; k < lesson->steps[index].expect_count; k++)
				waits |= lesson->steps[index].expects[k].within_ms > 0;
			start = now_us();
			if (session_step(session, &err) < 0) {
				fprintf(stderr, "bench: %s\n", err);
				return -1;
			}
			if (!waits)
				steps[step_count++] = now_us() - start;
		}
	}
	printf("lesson 01    %2zu steps a run   median %7.1f us   p99 %7.1f us   (%d runs; steps "
	       "that wait for a kernel timer left out)\n",
	       lesson->step_count, percentile(steps, step_count, 0.5),
	       percentile(steps, step_count, 0.99), rounds);
	printf("restart      fresh namespace + 2 puppets   median %.2f ms   p99 %.2f ms\n",
	       percentile(restarts, (size_t)rounds, 0.5) / 1000,
	       percentile(restarts, (size_t)rounds, 0.99) / 1000);
	session_free(session);
	lesson_free(lesson);
	free(restarts);
	free(steps);
	return 0;
}

/* CPU time (user + system) of a process, in clock ticks. */
static long cpu_ticks(pid_t pid)
{
	char path[64], buffer[1024];
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	ssize_t n = read(fd, buffer, sizeof buffer - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buffer[n] = '\0';
	const char *field = strrchr(buffer, ')');
	long utime = 0, stime = 0;
	/* Fields after the name: state is 3rd; utime and stime are 14th and 15th. */
	for (int i = 3; field && i < 14; i++)
		field = strchr(field + 1, ' ');
	if (field)
		sscanf(field, " %ld %ld", &utime, &stime);
	return utime + stime;
}

/* Reads the pty until `marker` shows (or `deadline_ms` passes). */
static bool read_until(int fd, const char *marker, int deadline_ms)
{
	static char screen[1 << 16];
	size_t len = 0;
	double end = now_us() + deadline_ms * 1000.0;
	screen[0] = '\0';
	while (!strstr(screen, marker) && now_us() < end) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		if (poll(&pfd, 1, 100) <= 0)
			continue;
		ssize_t n = read(fd, screen + len, sizeof screen - 1 - len);
		if (n <= 0)
			return false;
		len += (size_t)n;
		screen[len] = '\0';
		if (len > sizeof screen / 2) {   /* keep the tail */
			memmove(screen, screen + len / 2, len - len / 2 + 1);
			len -= len / 2;
		}
	}
	return strstr(screen, marker) != NULL;
}

/* Starts `socklab run 01` in a pseudo-terminal of 80x24; returns the
 * milliseconds from fork to the first lesson frame, or -1. */
static double start_in_pty(const char *binary, int *master, pid_t *pid)
{
	struct winsize size = { .ws_row = 24, .ws_col = 80 };
	double start = now_us();
	*pid = forkpty(master, NULL, NULL, &size);
	if (*pid == 0) {
		setenv("TERM", "xterm", 1);
		execl(binary, binary, "run", "01", (char *)NULL);
		_exit(127);
	}
	if (*pid < 0 || !read_until(*master, "SERVER", 5000))
		return -1;
	return (now_us() - start) / 1000;
}

static void stop_in_pty(int master, pid_t pid)
{
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	close(master);
}

/* A line "Key:  N kB" of /proc/PID/status, in KiB; 0 if absent. */
static long status_kib(pid_t pid, const char *key)
{
	char path[64], line[256], format[64];
	long value = 0;
	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	snprintf(format, sizeof format, "%s: %%ld", key);
	FILE *status = fopen(path, "r");
	while (status && fgets(line, sizeof line, status))
		if (sscanf(line, format, &value) == 1)
			break;
	if (status)
		fclose(status);
	return value;
}

/* Presses space and reads the frame it draws, until the screen has been
 * quiet for 150 ms (curses sends only what changed, so no text is certain
 * to come). */
static void step_in_pty(int master)
{
	char discard[4096];
	struct pollfd pfd = { .fd = master, .events = POLLIN };
	if (write(master, " ", 1) != 1)
		return;
	while (poll(&pfd, 1, 150) > 0 && read(master, discard, sizeof discard) > 0)
		;
}

/* The TUI as a student meets it, in a pseudo-terminal of 80x24: the time
 * from exec to the first lesson frame (the median of several starts), its
 * CPU while a student reads (a puppet blocked in accept), and its peak
 * memory over the whole of lesson 01. */
static void tui_figures(const char *binary)
{
	enum { STARTS = 9 };
	double cold[STARTS];
	int master;
	pid_t pid;
	for (int i = 0; i < STARTS; i++) {
		cold[i] = start_in_pty(binary, &master, &pid);
		if (cold[i] < 0) {
			printf("tui          could not start %s in a pty\n", binary);
			return;
		}
		stop_in_pty(master, pid);
	}
	double cold_max = percentile(cold, STARTS, 1.0),
	       cold_median = percentile(cold, STARTS, 0.5);
	if (start_in_pty(binary, &master, &pid) < 0)
		return;
	for (int step = 1; step <= 3; step++)   /* socket, bind, listen */
		step_in_pty(master);
	if (write(master, " ", 1) != 1 || !read_until(master, "blocked", 2000)) {   /* accept() */
		printf("tui          accept() never showed blocked\n");
		stop_in_pty(master, pid);
		return;
	}
	long ticks_before = cpu_ticks(pid);
	struct timespec idle = { .tv_sec = 10 };
	nanosleep(&idle, NULL);
	long ticks_after = cpu_ticks(pid);
	/* The rest of the lesson: 10 steps, two of them in two parts, and a
	 * few presses more at its end. */
	for (int press = 0; press < 16; press++)
		step_in_pty(master);
	long peak = status_kib(pid, "VmHWM");
	stop_in_pty(master, pid);
	printf("tui          cold start to first frame: median %.1f ms, max %.1f ms of %d starts\n",
	       cold_median, cold_max, STARTS);
	printf("tui          idle 10 s (accept blocked): %.0f ms CPU; peak RSS over the whole of "
	       "lesson 01: %ld KiB\n",
	       (double)(ticks_after - ticks_before) * 1000.0 / (double)sysconf(_SC_CLK_TCK), peak);
}

static long open_fds(void)
{
	long count = 0;
	DIR *dir = opendir("/proc/self/fd");
	while (dir && readdir(dir))
		count++;
	if (dir)
		closedir(dir);
	return count - 3;   /* ".", "..", and the directory's own fd */
}

static long rss_kib(void)
{
	long pages = 0, resident = 0;
	FILE *statm = fopen("/proc/self/statm", "r");
	if (statm) {
		if (fscanf(statm, "%ld %ld", &pages, &resident) != 2)
			resident = 0;
		fclose(statm);
	}
	return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

/* One process restarting a lesson again and again: fds and memory must
 * stay flat, or a long class would slowly break the lab. */
static int soak(const char *path, struct sandbox *sandbox, int runs)
{
	struct diagnostics diag;
	diagnostics_init(&diag, path);
	struct lesson *lesson = lesson_load(path, &diag);
	diagnostics_done(&diag);
	if (lesson)
		lesson->programs_allowed = true;   /* the one who runs the benchmark named it */
	struct session *session = NULL;
	char *err = NULL;
	if (!lesson || session_new(&session, lesson, sandbox, &err) < 0) {
		fprintf(stderr, "bench: %s\n", err ? err : "cannot load the lesson");
		return -1;
	}
	long fds_before = 0, rss_before = 0;
	double start = now_us();
	for (int run = 0; run <= runs; run++) {
		if (run == 10) {   /* after the first runs have grown every buffer once */
			fds_before = open_fds();
			rss_before = rss_kib();
		}
		/* session_goto restarts in a fresh namespace, then steps to the end. */
		if (session_goto(session, lesson->step_count, &err) < 0) {
			fprintf(stderr, "bench: %s\n", err);
			return -1;
		}
	}
	printf("soak         %d restarts of lesson 01 in %.1f s: open fds %ld -> %ld, RSS %ld -> "
	       "%ld KiB\n",
	       runs, (now_us() - start) / 1e6, fds_before, open_fds(), rss_before, rss_kib());
	session_free(session);
	lesson_free(lesson);
	return 0;
}

/* A free-play script: a listener, 24 connections and a bound UDP socket
 * (50 sockets open), then `exchanges` calls of ping and pong on one
 * connection. Returns the text (the caller frees it) or NULL, and the
 * steps of each part. */
static char *free_play_script(int exchanges, int *setup_steps, int *steps, size_t *len)
{
	char *text = NULL;
	FILE *script = open_memstream(&text, len);
	if (!script)
		return NULL;
	fprintf(script,
		"server: ls = socket(AF_INET, SOCK_STREAM)\nserver: bind(ls, 127.0.0.1:65432)\n"
		"server: listen(ls, 64)\n");
	*setup_steps = 3;
	for (int i = 0; i < 24; i++, *setup_steps += 3)
		fprintf(script, "client: c%d = socket(AF_INET, SOCK_STREAM)\n"
				"client: connect(c%d, 127.0.0.1:65432)\nserver: %saccept(ls)\n",
			i, i, i == 0 ? "a0 = " : "");
	fprintf(script,
		"client: u = socket(AF_INET, SOCK_DGRAM)\nclient: bind(u, 127.0.0.1:65433)\n");
	*setup_steps += 2;
	const char *const exchange[4] = { "client: send(c0, \"ping\")", "server: recv(a0, 64)",
					  "server: send(a0, \"pong\")", "client: recv(c0, 64)" };
	for (int i = 0; i < exchanges; i++)
		fprintf(script, "%s\n", exchange[i % 4]);
	*steps = *setup_steps + exchanges;
	if (fclose(script) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

/* `socklab play --plain` as a student's script drives it: 1,000 steps
 * with 50 sockets open, each step's event keeping what the kernel showed.
 * Its peak RSS (VmHWM: the process alone, its puppets are small and
 * separate) must stay under 32 MB however long a class plays. It is read
 * after the last step, while the program waits for more input: the
 * rusage of a child spawned from this process would count this process's
 * peak too (exec records the old memory's). The transcript is read to
 * check that every call ran and none failed. */
static int free_play_memory(const char *binary)
{
	enum { EXCHANGE_STEPS = 1000 };
	int setup_steps, steps;
	size_t len = 0;
	char *script = free_play_script(EXCHANGE_STEPS, &setup_steps, &steps, &len);
	int input[2] = { -1, -1 }, transcript[2] = { -1, -1 };
	if (!script || pipe(input) < 0 || pipe(transcript) < 0
	    || fcntl(input[1], F_SETPIPE_SZ, (int)len + 4096) < (int)len) {
		fprintf(stderr, "bench: free play: cannot write the script\n");
		return -1;
	}
	char *argv[] = { (char *)binary, "play", "--plain", NULL };
	posix_spawn_file_actions_t actions;
	posix_spawn_file_actions_init(&actions);
	posix_spawn_file_actions_adddup2(&actions, input[0], 0);
	posix_spawn_file_actions_adddup2(&actions, transcript[1], 1);
	posix_spawn_file_actions_addclose(&actions, input[1]);
	posix_spawn_file_actions_addclose(&actions, transcript[0]);
	pid_t pid;
	double start = now_us();
	int failed = posix_spawn(&pid, binary, &actions, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&actions);
	close(input[0]);
	close(transcript[1]);
	/* The whole script fits in the pipe: written at once, the end of
	 * input kept back until the peak is read. */
	bool written = !failed && write(input[1], script, len) == (ssize_t)len;
	free(script);
	if (failed || !written) {
		close(input[1]);
		close(transcript[0]);
		fprintf(stderr, "bench: free play: cannot start %s\n", binary);
		return -1;
	}
	FILE *out = fdopen(transcript[0], "r");
	char line[1024];
	int steps_seen = 0, steps_done = 0, failures = 0;
	long peak = 0;
	while (out && fgets(line, sizeof line, out)) {
		steps_seen += strncmp(line, "step ", 5) == 0;
		failures +=
			strncmp(line, "  = -1", 6) == 0 || strncmp(line, "  ... blocked", 13) == 0;
		/* A step's transcript ends with its Python. */
		if (strncmp(line, "  python", 8) == 0 && ++steps_done == steps) {
			peak = status_kib(pid, "VmHWM");
			close(input[1]);
			input[1] = -1;
		}
	}
	if (input[1] >= 0)
		close(input[1]);
	if (out)
		fclose(out);
	int status = 0;
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0
	    || steps_seen != steps || failures || peak == 0) {
		fprintf(stderr,
			"bench: free play: the workload failed (exit %d, %d of %d steps, %d calls "
			"failed)\n",
			WIFEXITED(status) ? WEXITSTATUS(status) : -1, steps_seen, steps, failures);
		return -1;
	}
	printf("free play    %d steps with 50 sockets open (after %d steps opening them): peak RSS "
	       "%.1f MB   (goal 32 MB; %.1f s)\n",
	       EXCHANGE_STEPS, setup_steps, (double)peak / 1024, (now_us() - start) / 1e6);
	return 0;
}

/* The back key at step 51 of a long lesson: a fresh namespace and
 * puppets, then the first 50 steps again (what `b` does, so the screen
 * shows the kernel's state, not a cache). Goal: one frame, 16 ms. */
static int back_to_step_50(struct sandbox *sandbox)
{
	enum { ROUNDS = 50 };
	struct lesson *lesson = steady_lesson(20);   /* 6 + 80 steps */
	struct session *session = NULL;
	char *err = NULL;
	double times[ROUNDS];
	if (!lesson || fresh_session(&session, lesson, sandbox) < 0)
		return -1;
	for (int round = 0; round < ROUNDS; round++) {
		if (session_goto(session, 51, &err) < 0) {
			fprintf(stderr, "bench: %s\n", err);
			return -1;
		}
		double start = now_us();
		if (session_goto(session, 50, &err) < 0) {
			fprintf(stderr, "bench: %s\n", err);
			return -1;
		}
		times[round] = now_us() - start;
	}
	int held = workload_held(session);
	printf("back         from step 51 to step 50 (fresh namespace, 50 steps again)   median "
	       "%.2f ms   p99 %.2f ms   (goal 16 ms)\n",
	       percentile(times, ROUNDS, 0.5) / 1000, percentile(times, ROUNDS, 0.99) / 1000);
	session_free(session);
	lesson_free(lesson);
	return held;
}

/* The lab's own part of a crowded step (the step's median less the
 * kernel's dump of the same sockets) against the dump: goal half. */
static void crowded_figure(const struct figures *many, const struct figures *dump, double two_sides)
{
	double own = many->median - dump->median;
	printf("8 sides, 100 connections: step overhead median %7.1f us   p99 %7.1f us   "
	       "(%.1fx the 2-side median %.1f us)\n",
	       many->median, many->p99, many->median / two_sides, two_sides);
	printf("of which the kernel's sock_diag dump of its %zu sockets %.1f us, "
	       "the lab's own part %.1f us: %.2fx the dump (goal 0.5x)\n",
	       dump->count, dump->median, own, own / dump->median);
}

static int crowded_only(struct lesson *lesson, int exchanges)
{
	struct sandbox sandbox;
	char *err = NULL;
	if (sandbox_enter(&sandbox, false, &err) < 0) {
		fprintf(stderr, "bench: %s\n", err);
		return 1;
	}
	struct lesson *crowded = crowded_lesson(exchanges / 2 > 0 ? exchanges / 2 : 1);
	struct figures f, many, dump;
	if (!crowded || steady_after(lesson, &sandbox, SETUP_STEPS, &f, NULL) < 0
	    || steady_after(crowded, &sandbox, 3 + 300, &many, &dump) < 0)
		return 1;
	printf("2 sides      step overhead median %.1f us   (goal 30 us)\n", f.median);
	crowded_figure(&many, &dump, f.median);
	lesson_free(crowded);
	lesson_free(lesson);
	sandbox_done(&sandbox);
	return 0;
}

/* ---- the parts alone --------------------------------------------------- */

/* A sandbox entered in each of `runs` fresh children (what a lab pays at
 * start), then `runs` renewals in one child (what a restart pays). The
 * children report each duration through a pipe. */
static void sandbox_figures(int runs)
{
	double *enter = calloc((size_t)runs, sizeof *enter),
	       *renew = calloc((size_t)runs, sizeof *renew);
	int report[2];
	if (!enter || !renew || pipe(report) < 0) {
		free(enter);
		free(renew);
		return;
	}
	for (int run = 0; run <= runs; run++) {
		pid_t pid = fork();
		if (pid == 0) {
			struct sandbox sandbox;
			close(report[0]);
			double start = now_us();
			if (sandbox_enter(&sandbox, false, NULL) < 0
			    || sandbox.kind != SANDBOX_NETNS)
				_exit(1);
			double elapsed = now_us() - start;
			/* The last child renews instead: `runs` fresh namespaces. */
			for (int i = 0; i < (run == runs ? runs : 1); i++) {
				if (run == runs) {
					start = now_us();
					if (sandbox_renew(&sandbox, NULL) < 0)
						_exit(1);
					elapsed = now_us() - start;
				}
				if (write(report[1], &elapsed, sizeof elapsed) != sizeof elapsed)
					_exit(1);
			}
			_exit(0);
		}
		int status = -1;
		for (int i = 0; pid > 0 && i < (run == runs ? runs : 1); i++)
			if (read(report[0], run == runs ? &renew[i] : &enter[run],
				 sizeof(double)) != sizeof(double))
				break;
		if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status)
		    || WEXITSTATUS(status) != 0) {
			printf("sandbox      no private namespace here: no figure\n");
			goto done;
		}
	}
	printf("sandbox      enter (fresh process)   median %.2f ms   p99 %.2f ms   max %.2f ms   "
	       "(%d runs)\n",
	       percentile(enter, (size_t)runs, 0.5) / 1000,
	       percentile(enter, (size_t)runs, 0.99) / 1000,
	       percentile(enter, (size_t)runs, 1.0) / 1000, runs);
	printf("sandbox      renew (restart)         median %.2f ms   p99 %.2f ms   max %.2f ms   "
	       "(%d runs)\n",
	       percentile(renew, (size_t)runs, 0.5) / 1000,
	       percentile(renew, (size_t)runs, 0.99) / 1000,
	       percentile(renew, (size_t)runs, 1.0) / 1000, runs);
done:
	close(report[0]);
	close(report[1]);
	free(enter);
	free(renew);
}

/* A listener on 127.0.0.1:`port` (backlog 128), or -1. */
static int listen_on(int port)
{
	struct sockaddr_in address = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
				       .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0
	    && (bind(fd, (struct sockaddr *)&address, sizeof address) < 0 || listen(fd, 128) < 0)) {
		close(fd);
		fd = -1;
	}
	return fd;
}

/* A connect() to 127.0.0.1:`port` that sends its SYN and returns at once, or -1. */
static int connect_to(int port, int flags)
{
	struct sockaddr_in address = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
				       .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | flags, 0);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&address, sizeof address) < 0
	    && errno != EINPROGRESS) {
		close(fd);
		fd = -1;
	}
	return fd;
}

/* Closes with an RST (SO_LINGER 0): no TIME-WAIT, no late ACK. */
static void close_now(int fd)
{
	struct linger linger = { .l_onoff = 1, .l_linger = 0 };
	setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, sizeof linger);
	close(fd);
}

/* Holding segments in fresh namespaces: what opening the hold costs (the
 * first hold of a namespace is the one a lab pays for), closing it, and
 * from the call that releases a segment to the answer it causes being held
 * and decoded (SYN -> SYN-ACK, SYN-ACK -> ACK). Returns 0, or -1 saying why. */
static int hold_figures(struct sandbox *sandbox)
{
	enum { OPENS = 40, HANDSHAKES = 300 };
	static double opens[OPENS], closes[OPENS], releases[HANDSHAKES * 2], quiet[HANDSHAKES];
	char mechanism[64] = "?", *err = NULL;
	struct hold *hold = NULL;
	for (int i = 0; i < OPENS; i++) {
		if (sandbox_renew(sandbox, &err) < 0)
			goto failed;
		double start = now_us();
		if (hold_open(&hold, &err) < 0) {
			if (err
			    && strncmp(err, HOLD_UNSUPPORTED_PREFIX,
				       strlen(HOLD_UNSUPPORTED_PREFIX)) == 0) {
				printf("hold         %s: no figure\n", err);
				free(err);
				return 0;
			}
			goto failed;
		}
		opens[i] = now_us() - start;
		snprintf(mechanism, sizeof mechanism, "%s", hold_mechanism(hold));
		start = now_us();
		hold_free(hold);
		closes[i] = now_us() - start;
	}
	hold = NULL;
	int listener = -1;
	if (sandbox_renew(sandbox, &err) < 0 || hold_open(&hold, &err) < 0)
		goto failed;
	listener = listen_on(65431);
	for (int i = 0; i < HANDSHAKES && listener >= 0; i++) {
		int client = connect_to(65431, SOCK_NONBLOCK);
		if (client < 0 || hold_settle(hold, &err) < 0 || hold_count(hold) != 1)
			goto failed_scene;
		for (int step = 0; step < 2; step++) {
			double start = now_us();
			if (hold_release(hold, &err) < 0 || hold_settle(hold, &err) < 0)
				goto failed_scene;
			releases[i * 2 + step] = now_us() - start;
			if (hold_count(hold) != 1)
				goto failed_scene;
		}
		/* The last ACK causes nothing: what a settle costs then. */
		double start = now_us();
		if (hold_release(hold, &err) < 0 || hold_settle(hold, &err) != 0)
			goto failed_scene;
		quiet[i] = now_us() - start;
		int accepted = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
		close_now(client);
		if (hold_settle(hold, &err) != 1 || hold_release(hold, &err) < 0
		    || hold_settle(hold, &err) != 0)
			goto failed_scene;
		close(accepted);
	}
	if (listener < 0)
		goto failed_scene;
	close(listener);
	hold_free(hold);
	printf("hold (%s)   open median %.2f ms (p90 %.2f, max %.2f); close median %.2f ms "
	       "(p90 %.2f)\n",
	       mechanism, percentile(opens, OPENS, 0.5) / 1000,
	       percentile(opens, OPENS, 0.9) / 1000, percentile(opens, OPENS, 1.0) / 1000,
	       percentile(closes, OPENS, 0.5) / 1000, percentile(closes, OPENS, 0.9) / 1000);
	printf("hold         release -> answer held median %.1f us (p90 %.1f, p99 %.1f); release "
	       "with no answer (settle included) median %.1f us (p99 %.1f)\n",
	       percentile(releases, HANDSHAKES * 2, 0.5), percentile(releases, HANDSHAKES * 2, 0.9),
	       percentile(releases, HANDSHAKES * 2, 0.99), percentile(quiet, HANDSHAKES, 0.5),
	       percentile(quiet, HANDSHAKES, 0.99));
	return 0;
failed_scene:
	if (listener >= 0)
		close(listener);
failed:
	fprintf(stderr, "bench: hold: %s\n",
		err ? err : "a segment more or less than the handshake sends");
	free(err);
	hold_free(hold);
	return -1;
}

/* Draining the capture in a fresh namespace: with nothing on lo, and
 * after a connect (its 3 packets). Returns 0, or -1 saying why. */
static int capture_figures(struct sandbox *sandbox)
{
	enum { EMPTY = 2000, HANDSHAKES = 500 };
	static double empty[EMPTY], handshake[HANDSHAKES];
	struct capture *capture = NULL;
	struct capture_batch batch;
	char *err = NULL;
	int listener = -1;
	capture_batch_init(&batch);
	if (sandbox_renew(sandbox, &err) < 0 || capture_open(&capture, &err) < 0)
		goto failed;
	listener = listen_on(65431);
	for (int i = 0; i < EMPTY && listener >= 0; i++) {
		double start = now_us();
		if (capture_drain(capture, &batch, &err) < 0 || batch.count != 0)
			goto failed;
		empty[i] = now_us() - start;
	}
	for (int i = 0; i < HANDSHAKES && listener >= 0; i++) {
		int client = connect_to(65431, 0);
		double start = now_us();
		if (client < 0 || capture_drain(capture, &batch, &err) < 0 || batch.count != 3)
			goto failed;
		handshake[i] = now_us() - start;
		int server = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
		close_now(client);
		close(server);
		if (capture_drain(capture, &batch, &err) < 0)
			goto failed;
	}
	if (listener < 0)
		goto failed;
	printf("capture      drain with nothing on lo median %.2f us (p99 %.2f); after a connect "
	       "(3 packets) median %.2f us (p99 %.2f)\n",
	       percentile(empty, EMPTY, 0.5), percentile(empty, EMPTY, 0.99),
	       percentile(handshake, HANDSHAKES, 0.5), percentile(handshake, HANDSHAKES, 0.99));
	close(listener);
	capture_free(capture);
	capture_batch_done(&batch);
	return 0;
failed:
	fprintf(stderr, "bench: capture: %s\n",
		err ? err : "a drain brought other packets than the workload's");
	free(err);
	if (listener >= 0)
		close(listener);
	capture_free(capture);
	capture_batch_done(&batch);
	return -1;
}

/* Holding and capture, each in a fresh namespace of `sandbox`. */
static int parts(struct sandbox *sandbox)
{
	int result = 0;
	if (hold_figures(sandbox) < 0)
		result = -1;
	if (capture_figures(sandbox) < 0)
		result = -1;
	return result;
}

/* The kernel's dump alone, of the namespace the bench started in (the host's). */
static void host_dump_figure(void)
{
	struct figures dump;
	if (time_dump(&dump) == 0)
		printf("probe        one sock_diag dump of this namespace's TCP sockets   median "
		       "%.1f us   p99 %.1f us   (%zu sockets)\n",
		       dump.median, dump.p99, dump.count);
}

/* The host path's steady-state step, measured in a child (entering the
 * private namespace cannot be undone): printed, and returned through a
 * pipe. The host path asks the kernel for the lab's sockets exactly and
 * dumps at most once a second, so the median is a step without a dump. */
static int host_path_figures(struct lesson *lesson, struct lesson *crowded, struct figures *out)
{
	int report[2];
	if (pipe(report) < 0)
		return -1;
	fflush(stdout);
	pid_t child = fork();
	if (child == 0) {
		struct sandbox host_path;
		struct figures f;
		close(report[0]);
		sandbox_enter(&host_path, true, NULL);
		if (steady(lesson, &host_path, false, false, (size_t)-1, &f) < 0)
			_exit(1);
		printf("host path    step overhead   median %7.1f us   p99 %7.1f us   (%zu "
		       "steps)\n",
		       f.median, f.p99, f.count);
		struct figures many;
		if (crowded && steady_after(crowded, &host_path, 3 + 300, &many, NULL) == 0)
			printf("host path    8 sides, 100 connections: step overhead median %7.1f "
			       "us   p99 %7.1f us\n",
			       many.median, many.p99);
		fflush(stdout);
		_exit(write(report[1], &f, sizeof f) == (ssize_t)sizeof f ? 0 : 1);
	}
	close(report[1]);
	ssize_t got = read(report[0], out, sizeof *out);
	close(report[0]);
	int status = 0;
	waitpid(child, &status, 0);
	return got == (ssize_t)sizeof *out && WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0
											    : -1;
}

/* Both paths' steady-state step, one after the other in the same run. */
static int paths_only(struct lesson *lesson, int exchanges)
{
	struct lesson *crowded = crowded_lesson(exchanges / 2 > 0 ? exchanges / 2 : 1);
	struct figures host, private_step;
	struct sandbox sandbox;
	char *err = NULL;
	if (host_path_figures(lesson, crowded, &host) < 0
	    || sandbox_enter(&sandbox, false, &err) < 0) {
		fprintf(stderr, "bench: %s\n", err ? err : "the host path's run failed");
		return 1;
	}
	const char *path_name = sandbox.kind == SANDBOX_NETNS ? "private path" : "host path";
	if (steady(lesson, &sandbox, false, false, (size_t)-1, &private_step) < 0)
		return 1;
	printf("%s step overhead   median %7.1f us   p99 %7.1f us   (%zu steps)\n", path_name,
	       private_step.median, private_step.p99, private_step.count);
	printf("host path / %s, step medians: %.1fx\n", path_name,
	       host.median / private_step.median);
	sandbox_done(&sandbox);
	lesson_free(crowded);
	lesson_free(lesson);
	return 0;
}

int main(int argc, char **argv)
{
	int exchanges = (argc > 1 ? atoi(argv[1]) : 4000) / 4;
	if (exchanges < 1)
		exchanges = 1;
	struct lesson *lesson = steady_lesson(exchanges);
	if (!lesson)
		return 2;
	struct utsname host;
	uname(&host);
	pin_to_current_cpu();
	printf("socklab bench on %s %s, %ld CPUs\n", host.sysname, host.release,
	       sysconf(_SC_NPROCESSORS_ONLN));
	fflush(stdout);
	/* `bench STEPS crowded`: only the 8-side figure, for a profiler. */
	if (argc > 2 && strcmp(argv[2], "crowded") == 0)
		return crowded_only(lesson, exchanges);
	/* `bench STEPS memory`: only free play's peak RSS. */
	if (argc > 2 && strcmp(argv[2], "memory") == 0) {
		lesson_free(lesson);
		return free_play_memory(SOCKLAB_BINARY) < 0;
	}
	/* `bench STEPS parts`: only the parts' figures. */
	if (argc > 2 && strcmp(argv[2], "parts") == 0) {
		struct sandbox sandbox;
		char *err = NULL;
		host_dump_figure();
		sandbox_figures(50);
		if (sandbox_enter(&sandbox, false, &err) < 0) {
			fprintf(stderr, "bench: %s\n", err);
			return 1;
		}
		int result = parts(&sandbox);
		sandbox_done(&sandbox);
		lesson_free(lesson);
		return result < 0;
	}
	/* `bench STEPS tui`: only the TUI's figures. */
	if (argc > 2 && strcmp(argv[2], "tui") == 0) {
		tui_figures(SOCKLAB_BINARY);
		lesson_free(lesson);
		return 0;
	}

	/* `bench STEPS paths`: the host path's step beside the private path's. */
	if (argc > 2 && strcmp(argv[2], "paths") == 0)
		return paths_only(lesson, exchanges);

	host_dump_figure();
	sandbox_figures(50);
	struct figures host_step;
	if (host_path_figures(lesson, NULL, &host_step) < 0)
		return 1;

	tui_figures(SOCKLAB_BINARY);

	struct sandbox sandbox;
	char *err = NULL;
	double start = now_us();
	if (sandbox_enter(&sandbox, false, &err) < 0) {
		fprintf(stderr, "bench: %s\n", err);
		return 1;
	}
	double enter_ms = (now_us() - start) / 1000;
	const char *path_name = sandbox.kind == SANDBOX_NETNS ? "private path" : "host path";
	struct figures f, naive, wire;
	if (steady(lesson, &sandbox, false, false, (size_t)-1, &f) < 0
	    || steady(lesson, &sandbox, false, true, (size_t)-1, &wire) < 0
	    || steady(lesson, &sandbox, true, false, 400, &naive) < 0)
		return 1;
	printf("%s step overhead   median %7.1f us   p99 %7.1f us   (%zu steps; goal 30 us)\n",
	       path_name, f.median, f.p99, f.count);
	printf("host path / %s, step medians: %.1fx\n", path_name, host_step.median / f.median);
	printf("with capture step overhead   median %7.1f us   p99 %7.1f us   (+%.1f us median for "
	       "the packets)\n",
	       wire.median, wire.p99, wire.median - f.median);
	struct lesson *crowded = crowded_lesson(exchanges / 2 > 0 ? exchanges / 2 : 1);
	struct figures many, few_dump, many_dump, two_sides;
	if (!crowded || steady_after(lesson, &sandbox, SETUP_STEPS, &two_sides, &few_dump) < 0
	    || steady_after(crowded, &sandbox, 3 + 300, &many, &many_dump) < 0)
		return 1;
	crowded_figure(&many, &many_dump, f.median);
	printf("2 sides: the kernel's sock_diag dump alone %.1f us for %zu sockets; "
	       "the lab's own part %.1f us\n",
	       few_dump.median, few_dump.count, two_sides.median - few_dump.median);
	lesson_free(crowded);
	printf("naive way    step + ss -tanpx median %7.1f us   p99 %7.1f us   ratio %.0fx "
	       "(medians, %zu steps)\n",
	       naive.median, naive.p99, naive.median / f.median, naive.count);
	printf("sandbox      enter %.2f ms (%s)\n", enter_ms, sandbox_describe(&sandbox));
	if (lesson_rounds(SOURCE_DIR "/lessons/01-echo.lesson", &sandbox, 200) < 0
	    || back_to_step_50(&sandbox) < 0)
		return 1;
	struct diagnostics diag;
	diagnostics_init(&diag, "01");
	struct lesson *echo = lesson_load(SOURCE_DIR "/lessons/01-echo.lesson", &diag);
	diagnostics_done(&diag);
	double frame_us = 0;
	if (echo && tui_bench_draw(echo, &sandbox, 200, 60, 1000, &frame_us, &err) == 0)
		printf("tui          full frame at 200x60 median %.0f us (1,000 frames, every "
		       "cell sent)\n",
		       frame_us);
	lesson_free(echo);
	if (parts(&sandbox) < 0 || soak(SOURCE_DIR "/lessons/01-echo.lesson", &sandbox, 1000) < 0
	    || free_play_memory(SOCKLAB_BINARY) < 0)
		return 1;
	sandbox_done(&sandbox);
	lesson_free(lesson);
	return 0;
}
