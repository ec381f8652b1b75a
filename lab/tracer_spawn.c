/* tracer_spawn — a program forked, seized and filtered, up to its exec. */
#include "tracer_spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "inject.h"
#include "syscalls.h"

#define TRACE_OPTIONS \
	(PTRACE_O_TRACESYSGOOD | PTRACE_O_EXITKILL | PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK \
	 | PTRACE_O_TRACECLONE | PTRACE_O_TRACEEXEC | PTRACE_O_TRACESECCOMP)

/* Where the program child parks its end of the start-up pipes (closed on
 * exec), just above the line fd; all three move down under an open file
 * limit (ulimit -n) of 1003 or less, to its top. */
#define CHILD_GO_FD (child_line_fd + 1)
#define CHILD_REPORT_FD (child_line_fd + 2)

/* The program child's line fd: TRACER_LINE_FD, or the highest three fds
 * the limit allows. Set in the child before it moves its fds. */
static int child_line_fd = TRACER_LINE_FD;

static int line_fd_under_limit(void)
{
	struct rlimit limit;
	if (getrlimit(RLIMIT_NOFILE, &limit) < 0 || limit.rlim_cur > TRACER_LINE_FD + 2)
		return TRACER_LINE_FD;
	return limit.rlim_cur >= 8 ? (int)limit.rlim_cur - 3 : -1;
}

enum start_stage {
	STAGE_SET_UP,      /* fds, process group, signals */
	STAGE_NO_NEW_PRIVS,
	STAGE_SECCOMP,
	STAGE_EXEC,
};

struct start_report {
	enum start_stage stage;
	int error;
};

static _Noreturn void report_start_failure(enum start_stage stage, int error)
{
	struct start_report report = { stage, error };
	if (write(CHILD_REPORT_FD, &report, sizeof report) < 0)
		_exit(126);
	_exit(127);
}

/* The program's side of fork: a clean process, then wait to be seized,
 * install the filter, exec. */
static _Noreturn void program_child(char *const argv[], int output, int lines, int report, int go,
				    const struct sock_fprog *filter)
{
	if (setpgid(0, 0) < 0 || prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		_exit(126);
	for (int signal = 1; signal < NSIG; signal++)
		sigaction(signal, &(struct sigaction){ .sa_handler = SIG_DFL }, NULL);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	child_line_fd = line_fd_under_limit();
	int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (child_line_fd < 0 || null_fd < 0 || dup3(report, CHILD_REPORT_FD, O_CLOEXEC) < 0
	    || dup3(go, CHILD_GO_FD, O_CLOEXEC) < 0)
		_exit(126);
	if (dup2(null_fd, 0) < 0 || dup2(output, 1) < 0 || dup2(output, 2) < 0
	    || dup2(lines, child_line_fd) < 0)
		report_start_failure(STAGE_SET_UP, errno);
	close_range(3, (unsigned)child_line_fd - 1, 0);
	close_range((unsigned)CHILD_REPORT_FD + 1, ~0u, 0);
	char number[16];
	snprintf(number, sizeof number, "%d", child_line_fd);
	setenv("SOCKLAB_LINE_FD", number, 1);
	/* A Python program's prints reach its pane when they happen, not at exit. */
	setenv("PYTHONUNBUFFERED", "1", 0);
	char byte;
	if (read(CHILD_GO_FD, &byte, 1) != 1)
		_exit(126);                   /* the lab could not seize us; it says why */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		report_start_failure(STAGE_NO_NEW_PRIVS, errno);
	/* SPEC_ALLOW: the filter is the lab's way to see socket calls, not a
	 * sandbox; without it the kernel would turn on its speculative-store
	 * mitigation for the program (where it is "prctl and seccomp"),
	 * slowing every instruction of it. Kernels before 4.17 lack the flag. */
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_SPEC_ALLOW,
		    filter) < 0
	    && (errno != EINVAL || syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, filter) < 0))
		report_start_failure(STAGE_SECCOMP, errno);
	execvp(argv[0], argv);
	report_start_failure(STAGE_EXEC, errno);
}

/* One line on why ptrace was refused, from what the system says. */
static void explain_ptrace_refusal(char *out, size_t size, const char *label, int error)
{
	char scope[8] = "";
	int fd = open("/proc/sys/kernel/yama/ptrace_scope", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		ssize_t n = read(fd, scope, sizeof scope - 1);
		scope[n > 0 ? n : 0] = '\0';
		scope[strcspn(scope, "\n")] = '\0';
		close(fd);
	}
	const char *why;
	if (strcmp(scope, "3") == 0)
		why = "kernel.yama.ptrace_scope is 3: no process may trace another until reboot";
	else if (strcmp(scope, "2") == 0)
		why = "kernel.yama.ptrace_scope is 2: only root (CAP_SYS_PTRACE) may trace";
	else
		why = "a container's seccomp profile or a security module forbids it "
		      "(docker: --cap-add SYS_PTRACE, or a profile that allows ptrace)";
	snprintf(out, size,
		 "%s: cannot trace programs here: ptrace is not allowed (PTRACE_SEIZE: %s): %s",
		 label, strerror(error), why);
}

static const char *const stage_texts[] = {
	[STAGE_SET_UP] = "could not set up its file descriptors",
	[STAGE_NO_NEW_PRIVS] =
		"the kernel refused PR_SET_NO_NEW_PRIVS, which the seccomp filter needs",
	/* In parentheses: two pieces of one string, not two rows. */
	[STAGE_SECCOMP] = ("the kernel refused the seccomp filter that lets non-socket calls run "
			   "at full speed"),
	[STAGE_EXEC] = "cannot run",
};

/* Whether any directory of PATH holds a file named `program`: execvp
 * reports EACCES, not ENOENT, when only an unreadable directory was in
 * the way. */
static bool in_path(const char *program)
{
	const char *path = getenv("PATH");
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	while (*path) {
		size_t len = strcspn(path, ":");
		char candidate[4096];
		snprintf(candidate, sizeof candidate, "%.*s/%s", (int)len, len ? path : ".",
			 program);
		if (access(candidate, F_OK) == 0)
			return true;
		path += len + (path[len] == ':');
	}
	return false;
}

/* The Debian and Ubuntu package of each program the lessons and README
 * run, named when it is missing. */
static const struct {
	const char *program;
	const char *package;
} program_packages[] = {
	{ "python3", "python3" },
	{ "nc", "netcat-openbsd" },
	{ "socat", "socat" },
	{ "curl", "curl" },
};

static const char *package_of(const char *program)
{
	for (size_t i = 0; i < sizeof program_packages / sizeof program_packages[0]; i++)
		if (strcmp(program, program_packages[i].program) == 0)
			return program_packages[i].package;
	return NULL;
}

static void explain_start_failure(char *out, size_t size, const char *label, const char *program,
				  int report_fd, int status)
{
	struct start_report report;
	ssize_t n = read(report_fd, &report, sizeof report);
	const char *package = package_of(program);
	if (n == sizeof report && report.stage == STAGE_EXEC && !strchr(program, '/')
	    && !in_path(program) && package)
		snprintf(out, size,
			 "%s: cannot run '%s': no such program in PATH (the %s package: sudo "
			 "apt-get install %s)",
			 label, program, package, package);
	else if (n == sizeof report && report.stage == STAGE_EXEC && !strchr(program, '/')
		 && !in_path(program))
		snprintf(out, size, "%s: cannot run '%s': no such program in PATH", label, program);
	else if (n == sizeof report && report.stage == STAGE_EXEC)
		snprintf(out, size, "%s: cannot run '%s': %s", label, program,
			 strerror(report.error));
	else if (n == sizeof report
		 && (unsigned)report.stage < sizeof stage_texts / sizeof stage_texts[0])
		snprintf(out, size, "%s: %s: %s", label, stage_texts[report.stage],
			 strerror(report.error));
	else if (WIFSIGNALED(status))
		snprintf(out, size, "%s: '%s' was killed by SIG%s before it started", label,
			 program,
			 sigabbrev_np(WTERMSIG(status)) ? sigabbrev_np(WTERMSIG(status)) : "?");
	else
		snprintf(out, size, "%s: '%s' could not be started", label, program);
}

/* Where the program's stdout and stderr go: a pseudo-terminal of its own
 * (so C's stdio buffers by line, as in a shell, and output shows when it
 * is written), or a pipe where no pty can be had. [0] is read by the
 * lab, [1] becomes the program's fds 1 and 2. */
static int open_output(int output[2])
{
	int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master >= 0 && grantpt(master) == 0 && unlockpt(master) == 0) {
		const char *name = ptsname(master);
		int terminal = name ? open(name, O_RDWR | O_NOCTTY | O_CLOEXEC) : -1;
		if (terminal >= 0) {
			/* Bytes as written: no "\n" -> "\r\n", no echo. */
			struct termios modes;
			if (tcgetattr(terminal, &modes) == 0) {
				modes.c_oflag &= ~(tcflag_t)OPOST;
				modes.c_lflag &= ~(tcflag_t)(ECHO | ICANON | ISIG);
				tcsetattr(terminal, TCSANOW, &modes);
			}
			struct winsize size = { .ws_row = 24, .ws_col = 80 };
			ioctl(terminal, TIOCSWINSZ, &size);
			output[0] = master;
			output[1] = terminal;
			return 0;
		}
	}
	if (master >= 0)
		close(master);
	return pipe2(output, O_CLOEXEC);
}

static void close_fds(int *fds, size_t count)
{
	for (size_t i = 0; i < count; i++)
		if (fds[i] >= 0) {
			close(fds[i]);
			fds[i] = -1;
		}
}

int tracer_spawn(char *const argv[], const char *label, struct spawned *out, char *reason,
		 size_t reason_size)
{
	struct sock_filter instructions[SYSCALLS_FILTER_MAX];
	int count = syscalls_build_filter(instructions, SYSCALLS_FILTER_MAX, inject_supported());
	struct sock_fprog filter = { .len = (unsigned short)count, .filter = instructions };
	/* output[0], output[1], lines[0], lines[1], report[0], report[1], go[0], go[1] */
	int fds[8] = { -1, -1, -1, -1, -1, -1, -1, -1 };
	int *output = fds, *lines = fds + 2, *report = fds + 4, *go = fds + 6;
	if (count < 0 || open_output(output) < 0 || pipe2(lines, O_CLOEXEC) < 0
	    || pipe2(report, O_CLOEXEC) < 0 || pipe2(go, O_CLOEXEC) < 0) {
		snprintf(reason, reason_size, "%s: pipe: %s", label, strerror(errno));
		close_fds(fds, 8);
		return -1;
	}
	pid_t pid = fork();
	if (pid < 0) {
		snprintf(reason, reason_size, "%s: fork: %s", label, strerror(errno));
		close_fds(fds, 8);
		return -1;
	}
	if (pid == 0)
		program_child(argv, output[1], lines[1], report[1], go[0], &filter);
	close_fds(&output[1], 1);
	close_fds(&lines[1], 1);
	close_fds(&report[1], 1);
	close_fds(&go[0], 1);
	fcntl(output[0], F_SETFL, O_NONBLOCK);
	fcntl(lines[0], F_SETFL, O_NONBLOCK);
	if (ptrace(PTRACE_SEIZE, pid, 0, (void *)(uintptr_t)TRACE_OPTIONS) < 0) {
		explain_ptrace_refusal(reason, reason_size, label, errno);
		close_fds(fds, 8);            /* the child reads EOF on go and exits */
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return -1;
	}
	if (write(go[1], "g", 1) != 1) {
		snprintf(reason, reason_size, "%s: write: %s", label, strerror(errno));
		close_fds(fds, 8);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, __WALL);
		return -1;
	}
	close_fds(&go[1], 1);
	/* Until exec, the child's only traced call is the write of a failure report. */
	for (;;) {
		int status;
		if (waitpid(pid, &status, __WALL) < 0) {
			snprintf(reason, reason_size, "%s: waitpid: %s", label, strerror(errno));
			close_fds(fds, 8);
			kill(pid, SIGKILL);
			return -1;
		}
		if (WIFEXITED(status) || WIFSIGNALED(status)) {
			explain_start_failure(reason, reason_size, label, argv[0], report[0],
					      status);
			close_fds(fds, 8);         /* reaped: nothing of it is left */
			return -1;
		}
		int event = status >> 16;
		if (event == PTRACE_EVENT_EXEC)
			break;
		ptrace(PTRACE_CONT, pid, 0, (void *)(uintptr_t)(event == 0 ? WSTOPSIG(status) : 0));
	}
	*out = (struct spawned){ .pid = pid, .output_fd = output[0], .line_fd = lines[0] };
	output[0] = lines[0] = -1;            /* the caller's now */
	close_fds(fds, 8);
	ptrace(PTRACE_CONT, pid, 0, 0);
	return 0;
}

