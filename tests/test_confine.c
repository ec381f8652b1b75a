/* What a lesson from someone else cannot reach (issue 13): as an ordinary
 * user, on both sandbox paths, through the real binary, a lesson or a
 * free-play script cannot create, delete or connect to anything outside
 * the lab's own directory.
 *
 * The test makes a directory any user may write to, with a file nobody
 * owns and may delete and a Unix socket that listens for anyone; then it
 * runs socklab as nobody (setpriv, when the tests run as root; as the
 * user itself otherwise) with calls that try each of those things, by
 * absolute name and through `..`, and checks afterwards that the file is
 * still there, that nothing new appeared and that no connection came. */
#include <criterion/criterion.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

enum { NOBODY = 65534 };

struct outside {
	char dir[64];          /* writable by anyone: what the lesson aims at */
	char lesson[128];
	char script[128];      /* the same calls, for play --plain */
	int listener;          /* listening on DIR/host.sock, non-blocking */
};

static char *slurp(int fd)
{
	size_t length = 0, capacity = 4096;
	char *text = malloc(capacity);
	cr_assert_not_null(text);
	ssize_t n;
	while ((n = read(fd, text + length, capacity - length - 1)) > 0) {
		length += (size_t)n;
		if (capacity - length < 2) {
			text = realloc(text, capacity *= 2);
			cr_assert_not_null(text);
		}
	}
	text[length] = '\0';
	return text;
}

/* Runs argv with `input` on stdin, returns stdout and stderr together and
 * the exit status. */
static char *run(char *const argv[], const char *input, int *code)
{
	int out[2];
	cr_assert_eq(pipe2(out, O_CLOEXEC), 0);
	posix_spawn_file_actions_t actions;
	posix_spawn_file_actions_init(&actions);
	posix_spawn_file_actions_adddup2(&actions, out[1], 1);
	posix_spawn_file_actions_adddup2(&actions, out[1], 2);
	posix_spawn_file_actions_addopen(&actions, 0, input, O_RDONLY, 0);
	/* Out of the build tree, which nobody may not write or even enter. */
	posix_spawn_file_actions_addchdir_np(&actions, "/");
	pid_t pid;
	cr_assert_eq(posix_spawn(&pid, argv[0], &actions, NULL, argv, environ), 0, "spawn %s",
		     argv[0]);
	posix_spawn_file_actions_destroy(&actions);
	close(out[1]);
	char *text = slurp(out[0]);
	close(out[0]);
	int status;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	*code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	return text;
}

static void write_text(const char *path, const char *text)
{
	FILE *file = fopen(path, "w");
	cr_assert_not_null(file, "%s: %s", path, strerror(errno));
	fputs(text, file);
	cr_assert_eq(fclose(file), 0);
	cr_assert_eq(chmod(path, 0644), 0);
}

/* The calls, one a line, each as `server: CALL`; DIR is the directory
 * without its leading slash, so `./../../..` + DIR reaches it from any
 * working directory. */
static void write_calls(struct outside *outside)
{
	const char *d = outside->dir, *r = outside->dir + 1;
	char calls[2048];
	snprintf(calls, sizeof calls,
		 "server: unlink(\"%s/victim\")\n"
		 "server: unlink(\"./../../../../../../../../%s/victim\")\n"
		 "server: c = socket(AF_UNIX, SOCK_STREAM)\n"
		 "server: connect(c, %s/host.sock)\n"
		 "server: connect(c, ./../../../../../../../../%s/host.sock)\n"
		 "server: u = socket(AF_UNIX, SOCK_STREAM)\n"
		 "server: bind(u, %s/made.sock)\n"
		 "server: bind(u, ./../../../../../../../../%s/made2.sock)\n"
		 "server: bind(u, ./inside.sock)\n",
		 d, r, d, r, d, r);
	write_text(outside->script, calls);
	char lesson[4096] = "lesson: outside\ntitle: Reach outside the lab\n";
	size_t length = strlen(lesson);
	for (const char *line = calls; *line;) {
		const char *end = strchr(line, '\n');
		length += (size_t)snprintf(lesson + length, sizeof lesson - length, "step %.*s\n",
					   (int)(end - line), line);
		line = end + 1;
	}
	/* The last call stays inside: proof the lab ran at all. */
	snprintf(lesson + length, sizeof lesson - length, "  expect: 0, server u UNCONN\n");
	write_text(outside->lesson, lesson);
}

static void outside_make(struct outside *outside)
{
	snprintf(outside->dir, sizeof outside->dir, "/tmp/socklab-outside-XXXXXX");
	cr_assert_not_null(mkdtemp(outside->dir));
	cr_assert_eq(chmod(outside->dir, 0777), 0);
	snprintf(outside->lesson, sizeof outside->lesson, "%s/outside.lesson", outside->dir);
	snprintf(outside->script, sizeof outside->script, "%s/outside.play", outside->dir);
	char victim[128];
	snprintf(victim, sizeof victim, "%s/victim", outside->dir);
	write_text(victim, "still here\n");
	if (geteuid() == 0)
		cr_assert_eq(chown(victim, NOBODY, NOBODY), 0);
	struct sockaddr_un address = { .sun_family = AF_UNIX };
	snprintf(address.sun_path, sizeof address.sun_path, "%s/host.sock", outside->dir);
	outside->listener = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	cr_assert_geq(outside->listener, 0);
	cr_assert_eq(bind(outside->listener, (struct sockaddr *)&address, sizeof address), 0);
	cr_assert_eq(chmod(address.sun_path, 0777), 0);
	cr_assert_eq(listen(outside->listener, 5), 0);
	write_calls(outside);
}

static void outside_remove(struct outside *outside)
{
	static const char *const names[] = { "victim",     "host.sock",      "made.sock",
					     "made2.sock", "outside.lesson", "outside.play" };
	close(outside->listener);
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		char path[160];
		snprintf(path, sizeof path, "%s/%s", outside->dir, names[i]);
		unlink(path);
	}
	rmdir(outside->dir);
}

/* What is in the directory after the run: the victim and nothing new. */
static void expect_untouched(const struct outside *outside, const char *what)
{
	char path[160];
	snprintf(path, sizeof path, "%s/victim", outside->dir);
	cr_expect_eq(access(path, F_OK), 0, "%s deleted %s", what, path);
	snprintf(path, sizeof path, "%s/made.sock", outside->dir);
	cr_expect_neq(access(path, F_OK), 0, "%s created %s", what, path);
	snprintf(path, sizeof path, "%s/made2.sock", outside->dir);
	cr_expect_neq(access(path, F_OK), 0, "%s created %s", what, path);
	snprintf(path, sizeof path, "%s/inside.sock", outside->dir);
	cr_expect_neq(access(path, F_OK), 0, "%s created %s", what, path);
	int connection = accept(outside->listener, NULL, NULL);
	cr_expect(connection < 0 && errno == EAGAIN, "%s connected to %s/host.sock", what,
		  outside->dir);
	if (connection >= 0)
		close(connection);
}

static bool has_line(const char *text, const char *line)
{
	size_t length = strlen(line);
	for (const char *at = strstr(text, line); at; at = strstr(at + 1, line))
		if ((at == text || at[-1] == '\n') && (at[length] == '\n' || at[length] == '\0'))
			return true;
	return false;
}

/* Runs the lesson (run --plain) or the script (play --plain) on one path,
 * as nobody where the tests run as root. Returns the output; *private
 * says whether the private path was taken. */
static char *run_outside(const struct outside *outside, bool play, bool host, int *code,
			 bool *private)
{
	char *argv[16];
	int argc = 0;
	if (geteuid() == 0) {
		argv[argc++] = "/usr/bin/setpriv";
		argv[argc++] = "--reuid=65534";
		argv[argc++] = "--regid=65534";
		argv[argc++] = "--clear-groups";
	}
	argv[argc++] = SOCKLAB_BINARY;
	argv[argc++] = play ? "play" : "run";
	argv[argc++] = "--plain";
	if (host)
		argv[argc++] = "--host";
	if (!play)
		argv[argc++] = (char *)outside->lesson;
	argv[argc] = NULL;
	char *output = run(argv, play ? outside->script : "/dev/null", code);
	*private = strstr(output, "sandbox: private netns") != NULL;
	return output;
}

static void expect_outside_refused(bool host)
{
	if (geteuid() == 0 && access("/usr/bin/setpriv", X_OK) != 0)
		cr_skip("setpriv (util-linux) is not installed: root reaches every file, so the "
			"case cannot be made");
	struct outside outside;
	outside_make(&outside);
	for (int play = 0; play < 2; play++) {
		const char *what = play ? "play --plain" : "run --plain";
		int code;
		bool private;
		char *output = run_outside(&outside, play, host, &code, &private);
		if (!host && !private) {
			free(output);
			outside_remove(&outside);
			cr_skip("this system refuses the private namespace to an ordinary user");
		}
		cr_expect_eq(code, 0, "%s exits %d:\n%s", what, code, output);
		char line[512];
		if (host) {
			snprintf(line, sizeof line,
				 "  why: the lab refused the call: on the host path a file name "
				 "stays in the lab's directory: %s/victim is absolute "
				 "(write ./name)",
				 outside.dir);
			cr_expect(has_line(output, line), "%s: no line\n%s\nin\n%s", what, line,
				  output);
			snprintf(line, sizeof line,
				 "  why: the lab refused the call: on the host path a file name "
				 "stays in the lab's directory: "
				 "./../../../../../../../../%s/host.sock goes up with .. "
				 "(write ./name)",
				 outside.dir + 1);
			cr_expect(has_line(output, line), "%s: no line\n%s\nin\n%s", what, line,
				  output);
			cr_expect(!strstr(output, "  = -1 ENOENT"),
				  "%s: a name reached the file system:\n%s", what, output);
		} else {
			/* The puppets' root is the lab's empty tmpfs: nothing is there. */
			cr_expect(!strstr(output, "  = -1 EACCES"),
				  "%s: refused instead of confined:\n%s", what, output);
			size_t not_found = 0;
			for (const char *at =
				     strstr(output, "  = -1 ENOENT (No such file or directory)\n");
			     at; at = strstr(at + 1, "  = -1 ENOENT (No such file or directory)\n"))
				not_found++;
			cr_expect_eq(not_found, 6,
				     "%s: every name outside resolves in the empty tmpfs:\n%s",
				     what, output);
		}
		cr_expect(strstr(output, "server: bind(u, ./inside.sock)\n  = 0\n") != NULL,
			  "%s: the lab ran:\n%s", what, output);
		expect_untouched(&outside, what);
		free(output);
	}
	outside_remove(&outside);
}

Test(confine, an_ordinary_user_reaches_nothing_outside_the_lab_on_the_private_path, .timeout = 60)
{
	expect_outside_refused(false);
}

Test(confine, an_ordinary_user_reaches_nothing_outside_the_lab_on_the_host_path, .timeout = 60)
{
	expect_outside_refused(true);
}

/* The lab's refusal is part of the record: a replayed trace gives the
 * same reason, and a normalised one (golden) leaves it out, since the
 * host path refuses what the private path's kernel refuses alike. */
Test(confine, a_refusal_by_the_lab_is_in_the_trace_and_its_replay)
{
	char lesson[64], trace[64];
	snprintf(lesson, sizeof lesson, "/tmp/socklab-test-channel-%d.lesson", (int)getpid());
	snprintf(trace, sizeof trace, "/tmp/socklab-test-channel-%d.jsonl", (int)getpid());
	write_text(lesson,
		   "title: the channel\nstep server: send(1000, \"x\")\n  expect: -1 EBADF\n");
	int code;
	char *ran = run((char *const[]){ SOCKLAB_BINARY, "run", "--plain", "--trace", trace, lesson,
					 NULL },
			"/dev/null", &code);
	cr_expect_eq(code, 0, "%s", ran);
	static const char why[] = "  why: the lab refused the call: fd 1000 is not one of this "
				  "side's sockets (no call of this side returned it)\n";
	cr_expect(strstr(ran, why) != NULL, "%s", ran);
	char *replayed = run((char *const[]){ SOCKLAB_BINARY, "replay", "--plain", trace, NULL },
			     "/dev/null", &code);
	cr_expect_eq(code, 0, "%s", replayed);
	cr_expect_str_eq(replayed, ran);
	char *normalised = run((char *const[]){ SOCKLAB_BINARY, "normalise", trace, NULL },
			       "/dev/null", &code);
	cr_expect_eq(code, 0, "%s", normalised);
	cr_expect(strstr(normalised, "\"ret\":-1,\"errno\":\"EBADF\"") != NULL, "%s", normalised);
	cr_expect(strstr(normalised, "refused") == NULL, "%s", normalised);
	free(normalised);
	free(ran);
	free(replayed);
	unlink(lesson);
	unlink(trace);
}

/* The cases of tests/hostile/confine, read as tests/hostile/README.md says
 * (the keys they use: args `run --plain {}`, exit, stdout-has,
 * stdout-lacks, paths), so they run with this suite too. */
static void run_hostile_case(const char *expect_path)
{
	FILE *file = fopen(expect_path, "r");
	cr_assert_not_null(file, "%s", expect_path);
	char lesson[512], line[1024], has[16][512], lacks[8][512], paths[16] = "private";
	int exit_status = -1, has_count = 0, lacks_count = 0;
	snprintf(lesson, sizeof lesson, "%.*s.lesson", (int)(strlen(expect_path) - 7), expect_path);
	while (fgets(line, sizeof line, file)) {
		line[strcspn(line, "\n")] = '\0';
		if (strncmp(line, "exit: ", 6) == 0)
			exit_status = atoi(line + 6);
		else if (strncmp(line, "stdout-has: ", 12) == 0 && has_count < 16)
			snprintf(has[has_count++], sizeof has[0], "%.500s", line + 12);
		else if (strncmp(line, "stdout-lacks: ", 14) == 0 && lacks_count < 8)
			snprintf(lacks[lacks_count++], sizeof lacks[0], "%.500s", line + 14);
		else if (strncmp(line, "paths: ", 7) == 0)
			snprintf(paths, sizeof paths, "%.8s", line + 7);
		else if (strncmp(line, "args: ", 6) == 0)
			cr_assert_str_eq(line + 6, "run --plain {}",
					 "%s: only this form is read here", expect_path);
	}
	fclose(file);
	for (int host = 0; host < 2; host++) {
		if ((host && strcmp(paths, "private") == 0)
		    || (!host && strcmp(paths, "host") == 0))
			continue;
		char *argv[] = { SOCKLAB_BINARY,       "run", "--plain", host ? "--host" : lesson,
				 host ? lesson : NULL, NULL };
		int code;
		char *output = run(argv, "/dev/null", &code);
		if (!host && !strstr(output, "sandbox: private netns")) {
			free(output);
			continue;   /* no private namespace here: the host run still counts */
		}
		cr_expect_eq(code, exit_status, "%s%s: exit %d\n%s", lesson, host ? " --host" : "",
			     code, output);
		for (int i = 0; i < has_count; i++)
			cr_expect(strstr(output, has[i]) != NULL, "%s%s: no '%s' in\n%s", lesson,
				  host ? " --host" : "", has[i], output);
		for (int i = 0; i < lacks_count; i++)
			cr_expect(strstr(output, lacks[i]) == NULL, "%s%s: '%s' in\n%s", lesson,
				  host ? " --host" : "", lacks[i], output);
		free(output);
	}
}

Test(confine, every_hostile_confine_case_gives_its_exact_message, .timeout = 120)
{
	static const char *const cases[] = { "channel",       "files-private",  "files-host",
					     "loopback-host", "many-ports",     "abstract-host",
					     "v4-mapped",     "connect-refused" };
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char path[512];
		snprintf(path, sizeof path, "%s/tests/hostile/confine/%s.expect", SOURCE_DIR,
			 cases[i]);
		run_hostile_case(path);
	}
}

/* Issue 13 item 9: ulimit -n of 1000 or less. The lab's channel to each
 * puppet and a program's line and start-up fds sit under the limit. */
Test(confine, lessons_run_under_a_low_open_file_limit, .timeout = 120)
{
	static const char *const lessons[] = { "01", "16", "17", "18" };
	static const rlim_t limits[] = { 32, 64, 1000 };
	struct rlimit saved;
	cr_assert_eq(getrlimit(RLIMIT_NOFILE, &saved), 0);
	for (size_t l = 0; l < sizeof limits / sizeof limits[0]; l++) {
		struct rlimit low = saved;
		low.rlim_cur = limits[l];
		cr_assert_eq(setrlimit(RLIMIT_NOFILE, &low), 0);
		for (size_t i = 0; i < sizeof lessons / sizeof lessons[0]; i++) {
			if (strcmp(lessons[i], "18") == 0 && access("/usr/bin/python3", X_OK) != 0)
				continue;   /* its programs are Python's */
			int code;
			char *output = run((char *const[]){ SOCKLAB_BINARY, "run", "--plain",
							    (char *)lessons[i], NULL },
					   "/dev/null", &code);
			cr_expect_eq(code, 0, "lesson %s under ulimit -n %llu:\n%s", lessons[i],
				     (unsigned long long)limits[l], output);
			free(output);
		}
	}
	struct rlimit tiny = saved;
	tiny.rlim_cur = 31;
	cr_assert_eq(setrlimit(RLIMIT_NOFILE, &tiny), 0);
	int code;
	char *output = run((char *const[]){ SOCKLAB_BINARY, "run", "--plain", "01", NULL },
			   "/dev/null", &code);
	cr_assert_eq(setrlimit(RLIMIT_NOFILE, &saved), 0);
	cr_expect_eq(code, 2);
	cr_expect_str_eq(
		output,
		"socklab: the open file limit is 31 (ulimit -n): the lab needs at least 32\n");
	free(output);
}

/* The machine's first IPv4 address that is not loopback, or false. */
static bool outside_address(struct in_addr *out)
{
	struct ifaddrs *list;
	if (getifaddrs(&list) < 0)
		return false;
	bool found = false;
	for (struct ifaddrs *each = list; each && !found; each = each->ifa_next) {
		if (!each->ifa_addr || each->ifa_addr->sa_family != AF_INET
		    || (each->ifa_flags & IFF_LOOPBACK))
			continue;
		*out = ((struct sockaddr_in *)each->ifa_addr)->sin_addr;
		found = true;
	}
	freeifaddrs(list);
	return found;
}

/* Whether a TCP connection to address:port is accepted. */
static bool connects(struct in_addr address, uint16_t port)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	cr_assert_geq(fd, 0);
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(port),
				  .sin_addr = address };
	bool connected = connect(fd, (struct sockaddr *)&to, sizeof to) == 0;
	close(fd);
	return connected;
}

/* Issue 13 item 6: on the host path, listen() without bind() autobound to
 * 0.0.0.0, and a connection from the machine's own eth0 address was
 * accepted. While the lab listens, the test connects to the lab's port on
 * loopback (accepted) and on the machine's other address (refused). */
Test(confine, a_host_path_listener_is_reachable_on_loopback_only, .timeout = 60)
{
	struct in_addr outside, loopback = { .s_addr = htonl(INADDR_LOOPBACK) };
	if (!outside_address(&outside))
		cr_skip("this machine has no address but loopback");
	int input[2], output[2];
	cr_assert_eq(pipe2(input, O_CLOEXEC), 0);
	cr_assert_eq(pipe2(output, O_CLOEXEC), 0);
	posix_spawn_file_actions_t actions;
	posix_spawn_file_actions_init(&actions);
	posix_spawn_file_actions_adddup2(&actions, input[0], 0);
	posix_spawn_file_actions_adddup2(&actions, output[1], 1);
	pid_t pid;
	char *argv[] = { SOCKLAB_BINARY, "play", "--plain", "--host", NULL };
	cr_assert_eq(posix_spawn(&pid, argv[0], &actions, NULL, argv, environ), 0);
	posix_spawn_file_actions_destroy(&actions);
	close(input[0]);
	close(output[1]);
	static const char script[] = "server: s = socket(AF_INET, SOCK_STREAM)\n"
				     "server: listen(s, 5)\n"
				     "server: getsockname(s)\n";
	cr_assert_eq(write(input[1], script, sizeof script - 1), (ssize_t)sizeof script - 1);
	/* The lab answers getsockname() with the port it listens on. */
	char text[16384];
	size_t length = 0;
	const char *answer = NULL;
	while (!answer && length < sizeof text - 1) {
		ssize_t n = read(output[0], text + length, sizeof text - 1 - length);
		if (n <= 0)
			break;
		length += (size_t)n;
		text[length] = '\0';
		answer = strstr(text, "  = 0, address ");
		if (answer && !strchr(answer, '\n'))
			answer = NULL;
	}
	cr_assert_not_null(answer, "no answer to getsockname():\n%.*s", (int)length, text);
	unsigned a, b, c, d, port = 0;
	cr_expect_eq(sscanf(answer, "  = 0, address %u.%u.%u.%u:%u", &a, &b, &c, &d, &port), 5,
		     "%s", answer);
	cr_expect_eq(a, 127u, "the listener's address: %s", answer);
	char outside_text[INET_ADDRSTRLEN];
	inet_ntop(AF_INET, &outside, outside_text, sizeof outside_text);
	cr_expect(connects(loopback, (uint16_t)port),
		  "127.0.0.1:%u refused: the lab does not listen there", port);
	cr_expect(!connects(outside, (uint16_t)port),
		  "%s:%u reached the lab's listener from outside loopback", outside_text, port);
	close(input[1]);
	while (read(output[0], text, sizeof text) > 0)
		;
	close(output[0]);
	int status;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
}
