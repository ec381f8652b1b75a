/* Tests for sandbox: the private namespaces, the host fallback, renewing the
 * inner namespace, and free ports on the host.
 *
 * Criterion's test worker has a second thread, and unshare(CLONE_NEWUSER)
 * refuses a process with threads (EINVAL); entering also changes the calling
 * process for good. So each test that enters runs its body in a forked
 * child, which has one thread. The child reports through a pipe and its exit
 * status, and only the parent calls Criterion's assertions: the child does
 * not talk to the runner.
 *
 * Where the system refuses user namespaces, the tests that need one are
 * skipped with the reason, after trying unshare in a child of their own.
 */
#include <criterion/criterion.h>

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/syscall.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <net/if.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "child.h"
#include "sandbox.h"

#define LESSON_PORT 65432
#define TCP_CHILD_EHASH_PATH "/proc/sys/net/ipv4/tcp_child_ehash_entries"
#define TCP_EHASH_PATH "/proc/sys/net/ipv4/tcp_ehash_entries"

/* What a test's parent learned before forking, for the child to compare. */
struct host_view {
	ino_t netns_inode;      /* /proc/self/ns/net of the host */
	bool has_child_ehash;   /* the kernel has tcp_child_ehash_entries (Linux >= 6.1) */
};

static ino_t
path_inode(const char *path)
{
	struct stat status;
	return stat(path, &status) == 0 ? status.st_ino : 0;
}

static ino_t
fd_inode(int fd)
{
	struct stat status;
	return fstat(fd, &status) == 0 ? status.st_ino : 0;
}

/* Returns the first number in a file, or `fallback` if there is none. */
static long
read_number(const char *path, long fallback)
{
	char text[64];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd == -1)
		return fallback;
	child_read_text(fd, text, sizeof text);
	close(fd);
	char *end;
	long value = strtol(text, &end, 10);
	return end == text ? fallback : value;
}

/* Returns a TCP socket bound to address:port, or -1 with errno. */
static int
bind_tcp(const char *address, int port)
{
	struct sockaddr_in socket_address = { .sin_family = AF_INET, .sin_port = htons(port) };
	inet_pton(AF_INET, address, &socket_address.sin_addr);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -1;
	if (bind(fd, (struct sockaddr *)&socket_address, sizeof socket_address) == -1) {
		int saved_errno = errno;
		close(fd);
		errno = saved_errno;
		return -1;
	}
	return fd;
}

/* connect() to 127.0.0.1:port; returns 0 or the errno. On loopback a
 * blocking connect completes (or is refused) before it returns. */
static int
connect_loopback(int port)
{
	struct sockaddr_in address = {
		.sin_family = AF_INET,
		.sin_port = htons(port),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return errno;
	int result = connect(fd, (struct sockaddr *)&address, sizeof address) == 0 ? 0 : errno;
	close(fd);
	return result;
}

static bool
lo_is_up(void)
{
	struct ifreq request = { .ifr_name = "lo" };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	bool up =
		fd != -1 && ioctl(fd, SIOCGIFFLAGS, &request) == 0 && (request.ifr_flags & IFF_UP);
	if (fd != -1)
		close(fd);
	return up;
}

/* Whether /proc/self/uid_map and gid_map map exactly the given ids to
 * themselves. */
static bool
ids_map_to_themselves(unsigned uid, unsigned gid)
{
	const struct { const char *path; unsigned id; } maps[] = {
		{ "/proc/self/uid_map", uid },
		{ "/proc/self/gid_map", gid },
	};
	for (size_t i = 0; i < sizeof maps / sizeof maps[0]; i++) {
		unsigned inside, outside, count;
		FILE *file = fopen(maps[i].path, "re");
		if (file == NULL)
			return false;
		int fields = fscanf(file, "%u %u %u", &inside, &outside, &count);
		fclose(file);
		if (fields != 3 || inside != maps[i].id || outside != maps[i].id || count != 1)
			return false;
	}
	return true;
}

/* The child's half of skip_unless_user_namespaces: the kernel calls that
 * sandbox_enter relies on, without the library. */
static void
try_user_namespace(const struct child *child)
{
	const bool *as_nobody = child->argument;
	if (*as_nobody && geteuid() == 0)
		child_become_nobody(child);
	char map[32];
	snprintf(map, sizeof map, "%u %u 1", (unsigned)geteuid(), (unsigned)geteuid());
	if (unshare(CLONE_NEWUSER | CLONE_NEWNET) == -1)
		child_finish(child, CHILD_SKIPPED,
			     "uid %u gets no user namespace here: "
			     "unshare(CLONE_NEWUSER|CLONE_NEWNET): %s",
			     (unsigned)geteuid(), strerror(errno));
	int fd = open("/proc/self/uid_map", O_WRONLY | O_CLOEXEC);
	if (fd == -1 || write(fd, map, strlen(map)) == -1)
		child_finish(child, CHILD_SKIPPED, "uid %u gets no usable user namespace here: "
			     "write /proc/self/uid_map: %s", (unsigned)geteuid(), strerror(errno));
	close(fd);
}

/* Skips the test, with the reason, when the system will not give this user
 * (or nobody) a user + network namespace. Decided by trying in a child, as
 * a sysctl alone does not tell (AppArmor lets unshare succeed, then refuses
 * the uid map). */
static void
skip_unless_user_namespaces(bool as_nobody)
{
	char message[CHILD_MESSAGE_SIZE];
	enum child_verdict verdict =
		child_run(try_user_namespace, &as_nobody, message, sizeof message);
	if (verdict == CHILD_PASSED)
		return;
	cr_assert_eq(verdict, CHILD_SKIPPED, "%s", message);
	cr_skip_test("%s (user.max_user_namespaces=%ld, kernel.unprivileged_userns_clone=%ld, "
		     "kernel.apparmor_restrict_unprivileged_userns=%ld; -1: absent)", message,
		     read_number("/proc/sys/user/max_user_namespaces", -1),
		     read_number("/proc/sys/kernel/unprivileged_userns_clone", -1),
		     read_number("/proc/sys/kernel/apparmor_restrict_unprivileged_userns", -1));
}

static struct host_view
host_view_read(void)
{
	return (struct host_view){
		.netns_inode = path_inode("/proc/self/ns/net"),
		.has_child_ehash = access(TCP_CHILD_EHASH_PATH, F_OK) == 0,
	};
}

/* Checks what every private sandbox must give: its own namespace with lo
 * up, a small TCP table where the kernel offers one, the user's own ids. */
static void
check_private(const struct child *child, const struct sandbox *sandbox,
	      const struct host_view *host, unsigned uid, unsigned gid)
{
	child_assert(child, sandbox->kind == SANDBOX_NETNS, "kind %d, reason \"%s\"",
		     sandbox->kind, sandbox->reason);
	child_assert(child, sandbox->outer_netns_fd >= 0, "%d", sandbox->outer_netns_fd);
	ino_t inner = path_inode("/proc/self/ns/net");
	ino_t outer = fd_inode(sandbox->outer_netns_fd);
	child_assert(child, inner != 0 && inner != host->netns_inode, "inner %ju, host %ju",
		     (uintmax_t)inner, (uintmax_t)host->netns_inode);
	child_assert(child, outer != 0 && outer != inner && outer != host->netns_inode,
		     "outer %ju, inner %ju, host %ju", (uintmax_t)outer, (uintmax_t)inner,
		     (uintmax_t)host->netns_inode);
	child_assert(child, lo_is_up(), "lo is down");
	child_assert(child, geteuid() == uid && getegid() == gid, "euid %u egid %u",
		     (unsigned)geteuid(), (unsigned)getegid());
	child_assert(child, ids_map_to_themselves(uid, gid), "uid %u gid %u", uid, gid);
	if (host->has_child_ehash) {
		/* tcp_ehash_entries is negative in a namespace that shares the
		 * host's table, and the table's size when it has its own. */
		long entries = read_number(TCP_EHASH_PATH, 0);
		child_assert(child, sandbox->small_hash, "tcp_ehash_entries %ld", entries);
		child_assert(child, entries == 256, "tcp_ehash_entries %ld", entries);
	} else {
		child_assert(child, !sandbox->small_hash, "a small table the kernel cannot make");
	}
	/* The private directory: Unix socket files bind there by a relative
	 * path, and no path in any file system leads to it. */
	char *dir_err = NULL;
	int dir = sandbox_private_dir(sandbox, &dir_err);
	child_assert(child, dir >= 0, "sandbox_private_dir: %s", dir_err ? dir_err : "?");
	int cwd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	child_assert(child, fchdir(dir) == 0, "fchdir: %s", strerror(errno));
	int unix_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un path = { .sun_family = AF_UNIX, .sun_path = "./echo.sock" };
	child_assert(child, bind(unix_fd, (struct sockaddr *)&path, sizeof path) == 0,
		     "bind ./echo.sock: %s", strerror(errno));
	struct stat st;
	child_assert(child, fstatat(dir, "echo.sock", &st, 0) == 0 && S_ISSOCK(st.st_mode),
		     "no socket file");
	char where[256];
	child_assert(child, getcwd(where, sizeof where) == NULL && errno == ENOENT,
		     "the private directory is reachable by a path");
	child_assert(child, fchdir(cwd) == 0, "%s", strerror(errno));
	close(unix_fd);
	close(cwd);
	close(dir);
}

static void
enter_private(const struct child *child)
{
	const struct host_view *host = child->argument;
	unsigned uid = geteuid(), gid = getegid();
	struct sandbox sandbox;
	char *err = NULL;

	child_assert(child, sandbox_enter(&sandbox, false, &err) == 0, "%s", err);
	check_private(child, &sandbox, host, uid, gid);
	child_assert(child, sandbox.inner_count == 1, "%d", sandbox.inner_count);
	child_assert(child, strcmp(sandbox_describe(&sandbox), "private netns") == 0,
		     "\"%s\"", sandbox_describe(&sandbox));

	/* The host holds 127.0.0.1:65432 (the parent bound it): here the
	 * port is free, for loopback and for INADDR_ANY alike. */
	int listener = bind_tcp("127.0.0.1", LESSON_PORT);
	child_assert(child, listener != -1, "bind 127.0.0.1:%d: %s", LESSON_PORT, strerror(errno));
	child_assert(child, listen(listener, 1) == 0, "listen: %s", strerror(errno));
	int connected = connect_loopback(LESSON_PORT);
	child_assert(child, connected == 0, "connect over lo: %s", strerror(connected));
	close(listener);
	int any = bind_tcp("0.0.0.0", LESSON_PORT);
	child_assert(child, any != -1, "bind 0.0.0.0:%d: %s", LESSON_PORT, strerror(errno));
	close(any);

	sandbox_done(&sandbox);
	sandbox_done(&sandbox);
	child_assert(child, sandbox.outer_netns_fd == -1, "%d", sandbox.outer_netns_fd);
}

Test(sandbox, enters_a_private_namespace_apart_from_the_host)
{
	skip_unless_user_namespaces(false);
	/* Hold the lesson's port on the host, so that binding it inside
	 * proves the namespaces apart. Another program may hold it already. */
	int host_fd = bind_tcp("127.0.0.1", LESSON_PORT);
	cr_assert(host_fd != -1 || errno == EADDRINUSE, "bind on the host: %s", strerror(errno));
	int second = bind_tcp("127.0.0.1", LESSON_PORT);
	cr_assert_eq(second, -1, "the host's 127.0.0.1:%d is not held", LESSON_PORT);
	cr_assert_eq(errno, EADDRINUSE, "%s", strerror(errno));

	struct host_view host = host_view_read();
	run_in_child(enter_private, &host);
	if (host_fd != -1)
		close(host_fd);
}

Test(sandbox, forced_host_changes_nothing)
{
	ino_t before = path_inode("/proc/self/ns/net");
	struct sandbox sandbox;
	char *err = NULL;

	cr_assert_eq(sandbox_enter(&sandbox, true, &err), 0, "%s", err);
	cr_assert_eq(sandbox.kind, SANDBOX_HOST);
	cr_assert(strstr(sandbox.reason, "--host") != NULL, "\"%s\"", sandbox.reason);
	cr_assert_eq(sandbox.outer_netns_fd, -1);
	cr_assert_eq(sandbox.inner_count, 0);
	cr_assert_str_eq(sandbox_describe(&sandbox),
			 "host network (--host given); lesson ports mapped");
	cr_assert_eq(sandbox_renew(&sandbox, &err), 0, "%s", err);
	cr_assert_eq(path_inode("/proc/self/ns/net"), before);
	sandbox_done(&sandbox);
	sandbox_done(&sandbox);
}

static void
renew_private(const struct child *child)
{
	const struct host_view *host = child->argument;
	unsigned uid = geteuid(), gid = getegid();
	struct sandbox sandbox;
	char *err = NULL;

	child_assert(child, sandbox_enter(&sandbox, false, &err) == 0, "%s", err);
	int old_listener = bind_tcp("127.0.0.1", LESSON_PORT);
	child_assert(child, old_listener != -1, "bind: %s", strerror(errno));
	child_assert(child, listen(old_listener, 1) == 0, "listen: %s", strerror(errno));
	ino_t first = path_inode("/proc/self/ns/net");

	child_assert(child, sandbox_renew(&sandbox, &err) == 0, "%s", err);
	ino_t second = path_inode("/proc/self/ns/net");
	check_private(child, &sandbox, host, uid, gid);
	child_assert(child, second != first, "the inner namespace is still %ju", (uintmax_t)first);
	child_assert(child, sandbox.inner_count == 2, "%d", sandbox.inner_count);

	/* The listener still lives, in the old namespace: not here. */
	int refused = connect_loopback(LESSON_PORT);
	child_assert(child, refused == ECONNREFUSED, "connect: %s",
		     refused ? strerror(refused) : "accepted");
	int listener = bind_tcp("127.0.0.1", LESSON_PORT);
	child_assert(child, listener != -1, "bind again: %s", strerror(errno));
	close(listener);
	close(old_listener);

	child_assert(child, sandbox_renew(&sandbox, &err) == 0, "%s", err);
	child_assert(child, path_inode("/proc/self/ns/net") != second, "the third is the second");
	child_assert(child, lo_is_up(), "lo is down after a second renew");
	sandbox_done(&sandbox);
}

Test(sandbox, renew_leaves_the_previous_run_behind)
{
	skip_unless_user_namespaces(false);
	struct host_view host = host_view_read();
	run_in_child(renew_private, &host);
}

static void
enter_as_nobody(const struct child *child)
{
	if (geteuid() == 0)
		child_become_nobody(child);
	enter_private(child);
}

Test(sandbox, ordinary_user_reaches_the_private_namespace)
{
	skip_unless_user_namespaces(true);
	struct host_view host = host_view_read();
	run_in_child(enter_as_nobody, &host);
}

static void *
thread_wait(void *argument)
{
	char byte;
	/* Returns when the other end closes; what it reads does not matter. */
	if (read(*(int *)argument, &byte, 1) < 0)
		return NULL;
	return NULL;
}

static void
enter_with_a_thread(const struct child *child)
{
	int hold[2];
	pthread_t thread;
	child_assert(child, pipe(hold) == 0, "%s", strerror(errno));
	child_assert(child, pthread_create(&thread, NULL, thread_wait, &hold[0]) == 0,
		     "pthread_create");

	ino_t before = path_inode("/proc/self/ns/net");
	struct sandbox sandbox;
	char *err = NULL;
	child_assert(child, sandbox_enter(&sandbox, false, &err) == 0, "%s", err);
	child_assert(child, sandbox.kind == SANDBOX_HOST, "kind %d", sandbox.kind);
	child_assert(child,
		     strcmp(sandbox.reason,
			    "user namespace refused (the process has threads, or the kernel has no "
			    "user namespaces)") == 0,
		     "\"%s\"", sandbox.reason);
	child_assert(child,
		     strncmp(sandbox_describe(&sandbox), "host network (user namespace refused (",
			     38) == 0,
		     "\"%s\"", sandbox_describe(&sandbox));
	child_assert(child, sandbox.outer_netns_fd == -1, "%d", sandbox.outer_netns_fd);
	child_assert(child, path_inode("/proc/self/ns/net") == before, "the namespace changed");
	close(hold[1]);
	pthread_join(thread, NULL);
}

Test(sandbox, falls_back_to_the_host_when_unshare_refuses)
{
	run_in_child(enter_with_a_thread, NULL);
}

static void
enter_undumpable(const struct child *child)
{
	if (geteuid() == 0)
		child_become_nobody(child);
	child_assert(child, prctl(PR_SET_DUMPABLE, 0) == 0, "%s", strerror(errno));
	ino_t before = path_inode("/proc/self/ns/net");
	struct sandbox sandbox;
	char *err = NULL;
	child_assert(child, sandbox_enter(&sandbox, false, &err) == 0, "%s", err);
	child_assert(child, sandbox.kind == SANDBOX_HOST, "kind %d", sandbox.kind);
	child_assert(child,
		     strcmp(sandbox.reason,
			    "user namespace's uid/gid map refused (the process is not dumpable, "
			    "its uid changed without exec: start socklab directly)") == 0,
		     "\"%s\"", sandbox.reason);
	child_assert(child, path_inode("/proc/self/ns/net") == before, "the namespace changed");
	/* Not stranded: the process may still create files. */
	char path[] = "/tmp/test_sandbox.XXXXXX";
	int fd = mkstemp(path);
	child_assert(child, fd != -1, "mkstemp: %s", strerror(errno));
	close(fd);
	unlink(path);
}

Test(sandbox, undumpable_ordinary_user_falls_back_to_the_host)
{
	run_in_child(enter_undumpable, NULL);
}

/* ---- each step refused, without AppArmor ----------------------------- */

/* A refusal the test makes before calling sandbox_enter, and the one
 * line the sandbox must give for it. */
struct refusal {
	const char *limit;        /* /proc/sys/user file to write in a user namespace of the
	                             test's own, or NULL */
	const char *limit_value;
	int filter;               /* a seccomp filter (enum filter), or FILTER_NONE */
	const char *reason;       /* the exact sandbox.reason expected */
};

enum filter {
	FILTER_NONE,
	FILTER_NAMESPACES,   /* unshare/clone with any CLONE_NEW* flag: EPERM */
	FILTER_NETNS,        /* unshare/clone with CLONE_NEWNET: EPERM */
	FILTER_LO_UP,        /* ioctl(SIOCSIFFLAGS): EPERM */
};

#define ALL_NAMESPACE_FLAGS \
	(CLONE_NEWUSER | CLONE_NEWNET | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS \
	 | CLONE_NEWCGROUP)

#if defined(__x86_64__)
#define TEST_AUDIT_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define TEST_AUDIT_ARCH AUDIT_ARCH_AARCH64
#endif

/* Installs a seccomp filter that answers EPERM where a container's would:
 * the calls that make namespaces (clone3 gets ENOSYS, so glibc falls back
 * to clone, which the filter can read), or lo's flags. */
static void
install_filter(const struct child *child, enum filter filter)
{
#ifdef TEST_AUDIT_ARCH
	/* ioctl(fd, SIOCSIFFLAGS, ...): the second argument; unshare(flags)
	 * and clone(flags, ...): the first, any of `flags` set. */
	bool lo = filter == FILTER_LO_UP;
	unsigned flags = filter == FILTER_NETNS ? CLONE_NEWNET : ALL_NAMESPACE_FLAGS;
	struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, TEST_AUDIT_ARCH, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, lo ? (unsigned)-1 : SYS_clone3, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, lo ? SYS_ioctl : SYS_unshare, 2, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, lo ? (unsigned)-1 : SYS_clone, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, args[0]) + (lo ? 8 : 0)),
		BPF_JUMP(BPF_JMP | (lo ? BPF_JEQ : BPF_JSET) | BPF_K, lo ? SIOCSIFFLAGS : flags, 0,
			 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog program = { .len = sizeof code / sizeof code[0], .filter = code };
	child_assert(child, prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0, "%s", strerror(errno));
	child_assert(child, syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &program) == 0,
		     "seccomp: %s", strerror(errno));
#else
	(void)filter;
	child_finish(child, CHILD_SKIPPED,
		     "the test's seccomp filter knows no audit arch for this machine");
#endif
}

/* The child's half: refuses a step, as the system would, then checks that
 * sandbox_enter falls back with the exact line, and leaves the process
 * able to run on the host (it may create files; its network is the one it
 * had). */
static void
enter_refused(const struct child *child)
{
	const struct refusal *refusal = child->argument;
	if (refusal->limit != NULL) {
		/* As `unshare -Ur`: root in a user namespace of its own, where
		 * the namespace limits are its to lower. */
		char map[32];
		snprintf(map, sizeof map, "0 %u 1", (unsigned)geteuid());
		unsigned gid = getegid();
		child_assert(child, unshare(CLONE_NEWUSER) == 0, "%s", strerror(errno));
		int fd = open("/proc/self/setgroups", O_WRONLY | O_CLOEXEC);
		child_assert(child, fd == -1 || write(fd, "deny", 4) == 4, "setgroups: %s",
			     strerror(errno));
		if (fd != -1)
			close(fd);
		fd = open("/proc/self/uid_map", O_WRONLY | O_CLOEXEC);
		child_assert(child, fd != -1 && write(fd, map, strlen(map)) > 0, "uid_map: %s",
			     strerror(errno));
		close(fd);
		snprintf(map, sizeof map, "0 %u 1", gid);
		fd = open("/proc/self/gid_map", O_WRONLY | O_CLOEXEC);
		child_assert(child, fd != -1 && write(fd, map, strlen(map)) > 0, "gid_map: %s",
			     strerror(errno));
		close(fd);
		char path[64];
		snprintf(path, sizeof path, "/proc/sys/user/%s", refusal->limit);
		fd = open(path, O_WRONLY | O_CLOEXEC);
		child_assert(child, fd != -1, "open %s: %s", path, strerror(errno));
		child_assert(child,
			     write(fd, refusal->limit_value, strlen(refusal->limit_value)) > 0,
			     "write %s: %s", path, strerror(errno));
		close(fd);
	}
	if (refusal->filter != FILTER_NONE)
		install_filter(child, refusal->filter);

	ino_t before = path_inode("/proc/self/ns/net");
	struct sandbox sandbox;
	char *err = NULL;
	child_assert(child, sandbox_enter(&sandbox, false, &err) == 0, "%s", err);
	child_assert(child, sandbox.kind == SANDBOX_HOST, "kind %d", sandbox.kind);
	child_assert(child, strcmp(sandbox.reason, refusal->reason) == 0, "\"%s\"", sandbox.reason);
	char notice[512];
	snprintf(notice, sizeof notice, "%s — running on the host's loopback", refusal->reason);
	child_assert(child,
		     sandbox_notice(&sandbox) != NULL
			     && strcmp(sandbox_notice(&sandbox), notice) == 0,
		     "\"%s\"", sandbox_notice(&sandbox) ? sandbox_notice(&sandbox) : "(none)");
	child_assert(child, path_inode("/proc/self/ns/net") == before, "the namespace changed");
	char path[] = "/tmp/test_sandbox.XXXXXX";
	int fd = mkstemp(path);
	child_assert(child, fd != -1, "mkstemp: %s", strerror(errno));
	close(fd);
	unlink(path);
}

static const struct refusal refused_netns = {
	.limit = "max_net_namespaces",
	.limit_value = "0",
	.reason = "private network namespace refused (user.max_net_namespaces is 0 here, or in a "
		  "parent namespace: `sudo sysctl -w user.max_net_namespaces=15000` raises it)",
};

Test(sandbox, names_the_network_namespace_when_only_the_user_namespace_is_allowed)
{
	skip_unless_user_namespaces(false);
	run_in_child(enter_refused, &refused_netns);
}

static const struct refusal refused_userns = {
	.limit = "max_user_namespaces", .limit_value = "0",
	.reason = "user namespace refused (user.max_user_namespaces is 0 here, or in a parent "
		  "namespace: `sudo sysctl -w user.max_user_namespaces=15000` raises it)",
};

Test(sandbox, names_the_user_namespace_when_none_is_allowed)
{
	skip_unless_user_namespaces(false);
	run_in_child(enter_refused, &refused_userns);
}

static const struct refusal refused_nested = {
	.limit = "max_net_namespaces",
	.limit_value = "1",
	.reason = "nested network namespace refused (user.max_net_namespaces is 1 here, or in a "
		  "parent namespace: `sudo sysctl -w user.max_net_namespaces=15000` raises it)",
};

Test(sandbox, names_the_nested_namespace_when_only_one_network_namespace_is_allowed)
{
	skip_unless_user_namespaces(false);
	run_in_child(enter_refused, &refused_nested);
}

static const struct refusal filtered_namespaces = {
	.filter = FILTER_NAMESPACES,
	.reason = "user namespace refused (a seccomp filter refuses new namespaces, as containers' "
		  "do: run socklab outside the container)",
};

Test(sandbox, names_a_seccomp_filter_that_refuses_every_namespace)
{
	run_in_child(enter_refused, &filtered_namespaces);
}

static const struct refusal filtered_netns = {
	.filter = FILTER_NETNS,
	.reason = "private network namespace refused (a seccomp filter refuses new namespaces, as "
		  "containers' do: run socklab outside the container)",
};

Test(sandbox, names_a_seccomp_filter_that_refuses_the_network_namespace)
{
	skip_unless_user_namespaces(false);
	run_in_child(enter_refused, &filtered_netns);
}

static const struct refusal filtered_lo = {
	.filter = FILTER_LO_UP,
	.reason = "lo of the private network namespace refused (a seccomp filter refuses new "
		  "namespaces, as containers' do: run socklab outside the container)",
};

Test(sandbox, names_lo_when_it_cannot_be_brought_up)
{
	skip_unless_user_namespaces(false);
	run_in_child(enter_refused, &filtered_lo);
}

Test(sandbox, free_port_can_be_bound_for_tcp_and_udp)
{
	char *err = NULL;
	int port = sandbox_free_port(&err);
	cr_assert(port >= 1024 && port <= 65535, "port %d: %s", port, err ? err : "");

	struct sockaddr_in address = {
		.sin_family = AF_INET,
		.sin_port = htons(port),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	const int types[] = { SOCK_STREAM, SOCK_DGRAM };
	int fds[2];
	for (size_t i = 0; i < 2; i++) {
		fds[i] = socket(AF_INET, types[i] | SOCK_CLOEXEC, 0);
		cr_assert_neq(fds[i], -1);
		cr_assert_eq(bind(fds[i], (struct sockaddr *)&address, sizeof address), 0,
			     "bind port %d: %s", port, strerror(errno));
	}
	close(fds[0]);
	close(fds[1]);
}

Test(sandbox, describes_a_sandbox_not_yet_entered)
{
	struct sandbox sandbox = { .kind = SANDBOX_NONE, .outer_netns_fd = -1 };
	cr_assert_str_eq(sandbox_describe(&sandbox), "no sandbox yet");
	sandbox_done(&sandbox);
}

/* A description read back from a run or a trace: in English (no language
 * chosen here) each of the lab's forms reads as it was made, its reason
 * kept whole, and a text of no form is copied. */
Test(sandbox_description, each_form_reads_back_as_made_and_another_text_is_copied)
{
	static const char *const descriptions[] = {
		"private netns",
		"private netns (shared TCP hash table, net.ipv4.tcp_child_ehash_entries is 0: "
		"slower probe)",
		"host network (--host given); lesson ports mapped",
		"host network (unshare(CLONE_NEWUSER): Operation not permitted (a (nested) "
		"reason)); lesson ports mapped",
		"private netnsX",
		"something else entirely",
		"",
	};
	for (size_t i = 0; i < sizeof descriptions / sizeof descriptions[0]; i++) {
		char shown[400];
		sandbox_description_shown(descriptions[i], shown, sizeof shown);
		cr_expect_str_eq(shown, descriptions[i]);
	}
	char cut[8];
	sandbox_description_shown("host network (--host given); lesson ports mapped", cut,
				  sizeof cut);
	cr_expect_str_eq(cut, "host ne", "a short room cuts, never overflows");
}
