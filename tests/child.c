/* child — a test's body in a forked child. */
#include "child.h"

#include <criterion/criterion.h>
#include <criterion/logging.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <net/if.h>
#include <sched.h>
#include <sys/mount.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

void child_finish(const struct child *child, enum child_verdict verdict, const char *format, ...)
{
	char message[CHILD_MESSAGE_SIZE];
	va_list args;

	va_start(args, format);
	int length = vsnprintf(message, sizeof message, format, args);
	va_end(args);
	if (length > 0 && write(child->report_fd, message, strlen(message)) == -1)
		_exit(CHILD_FAILED);
	_exit(verdict);
}

size_t child_read_text(int fd, char *text, size_t size)
{
	size_t length = 0;

	while (length < size - 1) {
		ssize_t got = read(fd, text + length, size - 1 - length);
		if (got > 0)
			length += (size_t)got;
		else if (got == 0 || errno != EINTR)
			break;
	}
	text[length] = '\0';
	return length;
}

enum child_verdict child_run(void (*body)(const struct child *), const void *argument,
			     char *message, size_t size)
{
	int report[2];
	cr_assert_eq(pipe2(report, O_CLOEXEC), 0, "pipe2: %s", strerror(errno));
	pid_t pid = fork();
	cr_assert_neq(pid, -1, "fork: %s", strerror(errno));
	if (pid == 0) {
		close(report[0]);
		struct child child = { .report_fd = report[1], .argument = argument };
		body(&child);
		_exit(CHILD_PASSED);
	}
	close(report[1]);
	child_read_text(report[0], message, size);
	close(report[0]);
	int status;
	cr_assert_eq(waitpid(pid, &status, 0), pid, "waitpid: %s", strerror(errno));
	if (WIFSIGNALED(status))
		cr_assert_fail("the child was killed by signal %d (%s) %s",
			       WTERMSIG(status), strsignal(WTERMSIG(status)), message);
	return (enum child_verdict)WEXITSTATUS(status);
}

void run_in_child(void (*body)(const struct child *), const void *argument)
{
	char message[CHILD_MESSAGE_SIZE];
	enum child_verdict verdict = child_run(body, argument, message, sizeof message);
	if (verdict == CHILD_SKIPPED)
		cr_skip_test("%s", message);
	cr_assert_eq(verdict, CHILD_PASSED, "in the child: %s", message);
	if (message[0] != '\0')
		cr_log_info("%s", message);
}

static int write_proc(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd == -1)
		return errno;
	ssize_t written = write(fd, text, strlen(text));
	int saved_errno = errno;
	close(fd);
	return written == (ssize_t)strlen(text) ? 0 : written == -1 ? saved_errno : EIO;
}

int child_bring_lo_up(void)
{
	struct ifreq request = { .ifr_name = "lo" };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return errno;
	int result = 0;
	if (ioctl(fd, SIOCGIFFLAGS, &request) == -1)
		result = errno;
	request.ifr_flags |= IFF_UP;
	if (result == 0 && ioctl(fd, SIOCSIFFLAGS, &request) == -1)
		result = errno;
	close(fd);
	return result;
}

void child_enter_namespace(const struct child *child)
{
	uid_t uid = geteuid();
	gid_t gid = getegid();
	if (unshare(CLONE_NEWUSER | CLONE_NEWNET) == -1)
		child_finish(child, CHILD_SKIPPED, "user namespaces are refused here: unshare: %s",
			     strerror(errno));
	char map[32];
	int failure = write_proc("/proc/self/setgroups", "deny");
	child_assert(child, failure == 0 || failure == ENOENT, "setgroups: %s", strerror(failure));
	snprintf(map, sizeof map, "%u %u 1", (unsigned)uid, (unsigned)uid);
	failure = write_proc("/proc/self/uid_map", map);
	if (failure == EPERM)   /* AppArmor's restriction on unprivileged user namespaces */
		child_finish(child, CHILD_SKIPPED,
			     "the kernel made the user namespace but refused its uid_map");
	child_assert(child, failure == 0, "uid_map: %s", strerror(failure));
	snprintf(map, sizeof map, "%u %u 1", (unsigned)gid, (unsigned)gid);
	failure = write_proc("/proc/self/gid_map", map);
	child_assert(child, failure == 0, "gid_map: %s", strerror(failure));
	failure = child_bring_lo_up();
	child_assert(child, failure == 0, "bring lo up: %s", strerror(failure));
}

int child_steer_lo_to_another_cpu(const struct child *child)
{
	if (geteuid() != 0)
		child_finish(child, CHILD_SKIPPED, "setting rps_cpus on lo needs root");
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		child_finish(child, CHILD_SKIPPED, "needs two CPUs");
	if (unshare(CLONE_NEWNET | CLONE_NEWNS) == -1)
		child_finish(child, CHILD_SKIPPED, "unshare(CLONE_NEWNET|CLONE_NEWNS): %s",
			     strerror(errno));
	child_assert(child, child_bring_lo_up() == 0, "lo");
	/* A sysfs of this namespace, to reach its lo. */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == -1
	    || mount("sysfs", "/sys", "sysfs", 0, NULL) == -1)
		child_finish(child, CHILD_SKIPPED, "cannot mount a sysfs here: %s",
			     strerror(errno));
	cpu_set_t cpus;
	child_assert(child, sched_getaffinity(0, sizeof cpus, &cpus) == 0, "%s", strerror(errno));
	int here = -1, there = -1;
	for (int cpu = 0; cpu < CPU_SETSIZE && there == -1; cpu++)
		if (CPU_ISSET(cpu, &cpus)) {
			if (here == -1)
				here = cpu;
			else
				there = cpu;
		}
	if (there == -1 || there >= 32)
		child_finish(child, CHILD_SKIPPED, "needs two CPUs among the first 32 to run on");
	char mask[16];
	snprintf(mask, sizeof mask, "%x", 1u << there);
	int failure = write_proc("/sys/class/net/lo/queues/rx-0/rps_cpus", mask);
	if (failure != 0)
		child_finish(child, CHILD_SKIPPED, "rps_cpus: %s (a kernel without CONFIG_RPS?)",
			     strerror(failure));
	CPU_ZERO(&cpus);
	CPU_SET(here, &cpus);
	child_assert(child, sched_setaffinity(0, sizeof cpus, &cpus) == 0, "%s", strerror(errno));
	return there;
}

int become_nobody(void)
{
	if (setgroups(0, NULL) == -1 || setgid(NOBODY_ID) == -1 || setuid(NOBODY_ID) == -1)
		return errno;
	if (prctl(PR_SET_DUMPABLE, 1) == -1)
		return errno;
	return 0;
}

void child_become_nobody(const struct child *child)
{
	int failure = become_nobody();
	if (failure != 0)
		child_finish(child, CHILD_SKIPPED, "cannot become uid %d here: %s", NOBODY_ID,
			     strerror(failure));
}
