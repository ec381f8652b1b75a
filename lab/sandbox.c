/* sandbox — a private user + network namespace for the lab, or the host.
 *
 * The namespaces are made with unshare(2) in the calling process itself, so
 * every process it forks afterwards (the puppets) starts inside them. See
 * sandbox.h for the two paths and why the inner namespace is nested.
 */
#include "sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define SANDBOX_FREE_PORT_ATTEMPTS 16
#define SANDBOX_LENGTH(array) (sizeof (array) / sizeof (array)[0])

/* Sizes of the inner namespace's own socket hash tables. The kernel reads
 * them from the namespace that calls unshare(CLONE_NEWNET) at that moment,
 * so they are written in the outer namespace, before each inner one is
 * made; a namespace created while they are 0 shares the host's tables. */
static const struct sandbox_child_hash {
	const char *path;
	const char *entries;
	bool makes_probe_fast;      /* the sock_diag TCP dump walks this table */
} sandbox_child_hashes[] = {
	/* Linux >= 6.1; any power of two up to 2^24. */
	{ "/proc/sys/net/ipv4/tcp_child_ehash_entries", "256", true },
	/* Linux >= 6.2; the documented values are 0 and 2^7 .. 2^16 (the
	 * kernel rounds smaller ones up to 128, the size of the port bitmap
	 * udp_lib_get_port keeps on its stack). Without it only UDP dumps stay
	 * slow, so a failed write is ignored. */
	{ "/proc/sys/net/ipv4/udp_child_hash_entries", "128", false },
};

/* Why unshare(CLONE_NEWUSER | CLONE_NEWNET) refused, in words a student can
 * act on. A failed unshare changes nothing, so each of these leaves the
 * host path open. */
static const struct sandbox_refusal {
	int errno_value;
	const char *hint;
} sandbox_refusals[] = {
	{ EPERM,  "user namespaces are closed to this user" },
	{ EINVAL, "the process has threads, or the kernel has no user namespaces" },
	{ ENOSPC, "user.max_user_namespaces reached" },
	{ EUSERS, "user namespaces nested too deep" },   /* before Linux 4.9 */
	{ ENOSYS, "unshare() is filtered or missing" },
	{ ENOMEM, "out of memory" },
};

static bool sandbox_is_undumpable(void);
static bool sandbox_apparmor_restricts(void);

/* Conditions under which unshare(CLONE_NEWUSER) succeeds but what follows
 * fails, which would strand the process in a namespace where it cannot
 * create a file. Where one holds, the private path is first tried in a
 * throwaway child. */
static const struct sandbox_hazard {
	bool (*holds)(void);
	const char *hint;
} sandbox_hazards[] = {
	/* A process that changed its uid without exec is not dumpable, and the
	 * kernel then gives its /proc/self files to root, so an ordinary user
	 * can no longer open its own uid_map. */
	{ sandbox_is_undumpable, "the process is not dumpable" },
	/* Ubuntu >= 23.10 lets an unconfined process make the namespace, then
	 * denies it every capability inside (the unprivileged_userns profile):
	 * writing uid_map fails with EPERM. */
	{ sandbox_apparmor_restricts, "kernel.apparmor_restrict_unprivileged_userns=1" },
};

static void sandbox_set_error(char **err, const char *format, ...)
	__attribute__((format(printf, 2, 3)));

static void
sandbox_set_error(char **err, const char *format, ...)
{
	va_list args;

	if (err == NULL)
		return;
	va_start(args, format);
	if (vasprintf(err, format, args) == -1)
		*err = NULL;
	va_end(args);
}

static const char *
sandbox_refusal_hint(int errno_value)
{
	for (size_t i = 0; i < SANDBOX_LENGTH(sandbox_refusals); i++)
		if (sandbox_refusals[i].errno_value == errno_value)
			return sandbox_refusals[i].hint;
	return NULL;
}

/* Writes text to a /proc file in a single write(2): the id map files accept
 * exactly one write, and a sysctl parses each write on its own.
 * Returns 0, or the errno. */
static int
sandbox_write_proc(const char *path, const char *text)
{
	size_t length = strlen(text);
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd == -1)
		return errno;
	ssize_t written = write(fd, text, length);
	int saved_errno = errno;
	close(fd);
	if (written == -1)
		return saved_errno;
	return (size_t)written == length ? 0 : EIO;
}

static bool
sandbox_is_undumpable(void)
{
	/* root still owns the files the kernel hands to root */
	return prctl(PR_GET_DUMPABLE) != 1 && geteuid() != 0;
}

static bool
sandbox_apparmor_restricts(void)
{
	char value = '0';
	int fd = open("/proc/sys/kernel/apparmor_restrict_unprivileged_userns", O_RDONLY | O_CLOEXEC);
	if (fd == -1)
		return false;
	if (read(fd, &value, 1) != 1)
		value = '0';
	close(fd);
	return value != '0';
}

static void
sandbox_use_host(struct sandbox *sandbox, const char *reason)
{
	sandbox->kind = SANDBOX_HOST;
	snprintf(sandbox->reason, sizeof sandbox->reason, "%s", reason);
	snprintf(sandbox->description, sizeof sandbox->description,
		 "host network (%.200s); lesson ports mapped", sandbox->reason);
}

/* Maps the caller's uid and gid to themselves in the new user namespace, so
 * the files the lab writes keep the user's ownership. Until this is done
 * the process runs as the overflow uid and cannot create files. The ids are
 * the effective ones from before unshare: the only mapping an ordinary user
 * may write is its own effective id in the parent namespace. */
static int
sandbox_map_ids(uid_t uid, gid_t gid, char **err)
{
	struct {
		const char *path;
		char text[32];
		bool may_be_absent;
	} writes[] = {
		/* Before gid_map, an ordinary user must give up setgroups(2) in
		 * the namespace, so it cannot shed a group that a file's mode
		 * denies. The file appeared in Linux 3.19. */
		{ "/proc/self/setgroups", "deny", true },
		{ "/proc/self/uid_map", "", false },
		{ "/proc/self/gid_map", "", false },
	};
	snprintf(writes[1].text, sizeof writes[1].text, "%u %u 1", (unsigned)uid, (unsigned)uid);
	snprintf(writes[2].text, sizeof writes[2].text, "%u %u 1", (unsigned)gid, (unsigned)gid);

	for (size_t i = 0; i < SANDBOX_LENGTH(writes); i++) {
		int failure = sandbox_write_proc(writes[i].path, writes[i].text);
		if (failure == 0 || (failure == ENOENT && writes[i].may_be_absent))
			continue;
		sandbox_set_error(err, "write %s \"%s\": %s",
				  writes[i].path, writes[i].text, strerror(failure));
		return -1;
	}
	return 0;
}

/* A new network namespace has its own lo, down and without addresses.
 * Bringing it up makes the kernel add 127.0.0.1/8 and ::1 to it. */
static int
sandbox_bring_lo_up(char **err)
{
	struct ifreq request = { .ifr_name = "lo" };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd == -1) {
		sandbox_set_error(err, "bring lo up: socket: %s", strerror(errno));
		return -1;
	}
	const char *failed_call = NULL;
	if (ioctl(fd, SIOCGIFFLAGS, &request) == -1) {
		failed_call = "SIOCGIFFLAGS";
	} else {
		request.ifr_flags |= IFF_UP;
		if (ioctl(fd, SIOCSIFFLAGS, &request) == -1)
			failed_call = "SIOCSIFFLAGS";
	}
	int saved_errno = errno;
	close(fd);
	if (failed_call != NULL) {
		sandbox_set_error(err, "bring lo up: ioctl(%s): %s", failed_call, strerror(saved_errno));
		return -1;
	}
	return 0;
}

/* Sizes the hash tables of the namespaces made from here on.
 * Returns whether the TCP table will be small. */
static bool
sandbox_size_child_hashes(void)
{
	bool small = true;

	for (size_t i = 0; i < SANDBOX_LENGTH(sandbox_child_hashes); i++) {
		const struct sandbox_child_hash *hash = &sandbox_child_hashes[i];
		if (sandbox_write_proc(hash->path, hash->entries) != 0 && hash->makes_probe_fast)
			small = false;
	}
	return small;
}

/* Makes a fresh inner namespace from the current (outer) one. */
static int
sandbox_make_inner(struct sandbox *sandbox, char **err)
{
	if (unshare(CLONE_NEWNET) == -1) {
		sandbox_set_error(err, "unshare(CLONE_NEWNET) for the inner namespace: %s", strerror(errno));
		return -1;
	}
	if (sandbox_bring_lo_up(err) == -1)
		return -1;
	sandbox->inner_count++;
	return 0;
}

/* Reads until end of file or a full buffer, into a string.
 * Returns its length. */
static size_t
sandbox_read_text(int fd, char *text, size_t size)
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

/* The child's half of sandbox_try_in_child: it reports "+" or the error. */
static void __attribute__((noreturn))
sandbox_trial_child(int report_fd, uid_t uid, gid_t gid)
{
	char *err = NULL;

	if (unshare(CLONE_NEWUSER | CLONE_NEWNET | CLONE_NEWNS) == -1)
		sandbox_set_error(&err, "unshare(CLONE_NEWUSER|CLONE_NEWNET|CLONE_NEWNS): %s", strerror(errno));
	else if (sandbox_map_ids(uid, gid, &err) == 0 && sandbox_bring_lo_up(&err) == 0)
		err = strdup("+");
	/* Nothing to do if the write fails: an empty report reads as failure. */
	if (err != NULL && write(report_fd, err, strlen(err)) == -1)
		_exit(1);
	_exit(0);
}

/* Runs the private path in a throwaway child, whose namespaces die with it.
 * Returns 0 when the child got through, or -1 with why in `reason`.
 * The verdict travels through a pipe rather than the exit status, which a
 * caller that ignores SIGCHLD would never see. */
static int
sandbox_try_in_child(uid_t uid, gid_t gid, char *reason, size_t reason_size)
{
	int report[2];

	if (pipe2(report, O_CLOEXEC) == -1) {
		snprintf(reason, reason_size, "pipe: %s", strerror(errno));
		return -1;
	}
	pid_t child = fork();
	if (child == -1) {
		snprintf(reason, reason_size, "fork: %s", strerror(errno));
		close(report[0]);
		close(report[1]);
		return -1;
	}
	if (child == 0) {
		close(report[0]);
		sandbox_trial_child(report[1], uid, gid);
	}
	close(report[1]);

	char message[160];
	size_t length = sandbox_read_text(report[0], message, sizeof message);
	close(report[0]);
	while (waitpid(child, NULL, 0) == -1 && errno == EINTR)
		;

	if (strcmp(message, "+") == 0)
		return 0;
	snprintf(reason, reason_size, "%s", length > 0 ? message : "the trial child died");
	return -1;
}

/* Returns true (and falls back to the host) when a hazard holds and the
 * private path failed in a throwaway child. */
static bool
sandbox_foresee_refusal(struct sandbox *sandbox, uid_t uid, gid_t gid)
{
	for (size_t i = 0; i < SANDBOX_LENGTH(sandbox_hazards); i++) {
		if (!sandbox_hazards[i].holds())
			continue;
		char failure[160];
		if (sandbox_try_in_child(uid, gid, failure, sizeof failure) == 0)
			return false;
		char reason[sizeof sandbox->reason];
		snprintf(reason, sizeof reason, "%.120s (%s)", failure, sandbox_hazards[i].hint);
		sandbox_use_host(sandbox, reason);
		return true;
	}
	return false;
}

int
sandbox_enter(struct sandbox *sandbox, bool force_host, char **err)
{
	*sandbox = (struct sandbox){ .kind = SANDBOX_NONE, .outer_netns_fd = -1 };
	if (force_host) {
		sandbox_use_host(sandbox, "--host given");
		return 0;
	}

	/* After unshare(CLONE_NEWUSER), geteuid() answers the overflow uid
	 * until uid_map is written: take the ids first. */
	uid_t uid = geteuid();
	gid_t gid = getegid();
	if (sandbox_foresee_refusal(sandbox, uid, gid))
		return 0;

	/* A mount namespace too, owned by the new user namespace, so the lab
	 * may make a tmpfs of its own for Unix socket files (see
	 * sandbox_private_dir), which the puppets take as their root; the
	 * controller's file system looks the same from inside. */
	if (unshare(CLONE_NEWUSER | CLONE_NEWNET | CLONE_NEWNS) == -1) {
		int failure = errno;
		const char *hint = sandbox_refusal_hint(failure);
		char reason[sizeof sandbox->reason];
		snprintf(reason, sizeof reason, "unshare(CLONE_NEWUSER|CLONE_NEWNET|CLONE_NEWNS): %s%s%s%s",
			 strerror(failure), hint ? " (" : "", hint ? hint : "", hint ? ")" : "");
		sandbox_use_host(sandbox, reason);
		return 0;
	}

	/* From here on the process is in the new namespaces for good: a
	 * failure is an error, not a fallback. The creator holds every
	 * capability in the user namespace it made, as long as it does not
	 * exec, so it may write the maps, the sysctls, and lo's flags. */
	if (sandbox_map_ids(uid, gid, err) == -1)
		return -1;
	sandbox->small_hash = sandbox_size_child_hashes();
	sandbox->outer_netns_fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (sandbox->outer_netns_fd == -1) {
		sandbox_set_error(err, "open /proc/self/ns/net: %s", strerror(errno));
		return -1;
	}
	if (sandbox_make_inner(sandbox, err) == -1) {
		sandbox_done(sandbox);
		return -1;
	}
	sandbox->kind = SANDBOX_NETNS;
	snprintf(sandbox->description, sizeof sandbox->description, "%s",
		 sandbox->small_hash ? "private netns"
				     : "private netns (shared TCP hash table: slower probe)");
	return 0;
}

int
sandbox_renew(struct sandbox *sandbox, char **err)
{
	if (sandbox->kind != SANDBOX_NETNS)
		return 0;
	/* Back to the outer namespace first: an inner namespace made from an
	 * inner one would read tcp_child_ehash_entries there (0) and share the
	 * host's table. */
	if (setns(sandbox->outer_netns_fd, CLONE_NEWNET) == -1) {
		sandbox_set_error(err, "setns to the outer network namespace: %s", strerror(errno));
		return -1;
	}
	return sandbox_make_inner(sandbox, err);
}

int
sandbox_private_dir(const struct sandbox *sandbox, char **err)
{
	if (sandbox->kind != SANDBOX_NETNS) {
		sandbox_set_error(err, "no private namespace");
		return -1;
	}
	/* A detached tmpfs: in no directory of any file system, reachable only
	 * through this fd and the cwd of whoever fchdir()s to it. When the
	 * last of them is gone (however the lab ends), so are its files. */
	int context = fsopen("tmpfs", FSOPEN_CLOEXEC);
	if (context == -1) {
		sandbox_set_error(err, "fsopen(tmpfs): %s", strerror(errno));
		return -1;
	}
	int mount_fd = -1;
	if (fsconfig(context, FSCONFIG_SET_STRING, "size", "1m", 0) == -1
	    || fsconfig(context, FSCONFIG_SET_STRING, "mode", "0700", 0) == -1
	    || fsconfig(context, FSCONFIG_CMD_CREATE, NULL, NULL, 0) == -1)
		sandbox_set_error(err, "fsconfig(tmpfs): %s", strerror(errno));
	else if ((mount_fd = fsmount(context, FSMOUNT_CLOEXEC,
				     MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC)) == -1)
		sandbox_set_error(err, "fsmount(tmpfs): %s", strerror(errno));
	close(context);
	return mount_fd;
}

void
sandbox_done(struct sandbox *sandbox)
{
	if (sandbox->outer_netns_fd >= 0)
		close(sandbox->outer_netns_fd);
	sandbox->outer_netns_fd = -1;
}

const char *
sandbox_describe(const struct sandbox *sandbox)
{
	if (sandbox->kind == SANDBOX_NONE)
		return "no sandbox yet";
	return sandbox->description;
}

/* Binds a new socket of `type` to 127.0.0.1:port (0: any free port).
 * Returns the fd, or -1 with errno set. */
static int
sandbox_bind_loopback(int type, in_port_t port)
{
	struct sockaddr_in address = {
		.sin_family = AF_INET,
		.sin_port = htons(port),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -1;
	if (bind(fd, (struct sockaddr *)&address, sizeof address) == -1) {
		int saved_errno = errno;
		close(fd);
		errno = saved_errno;
		return -1;
	}
	return fd;
}

/* Asks the kernel for a free TCP port, then checks that UDP has it free
 * too (the two protocols have separate port tables). Nothing holds the port
 * afterwards, so another program may take it: the caller binds soon. */
static int
sandbox_try_free_port(char **err)
{
	struct sockaddr_in address;
	socklen_t address_length = sizeof address;
	int tcp_fd = sandbox_bind_loopback(SOCK_STREAM, 0);
	if (tcp_fd == -1) {
		sandbox_set_error(err, "free port: bind a TCP socket to 127.0.0.1:0: %s", strerror(errno));
		return -1;
	}
	if (getsockname(tcp_fd, (struct sockaddr *)&address, &address_length) == -1) {
		sandbox_set_error(err, "free port: getsockname: %s", strerror(errno));
		close(tcp_fd);
		return -1;
	}
	in_port_t port = ntohs(address.sin_port);
	int udp_fd = sandbox_bind_loopback(SOCK_DGRAM, port);
	int udp_errno = errno;
	close(tcp_fd);
	if (udp_fd == -1) {
		if (udp_errno == EADDRINUSE)
			return 0;
		sandbox_set_error(err, "free port: bind a UDP socket to 127.0.0.1:%u: %s",
				  (unsigned)port, strerror(udp_errno));
		return -1;
	}
	close(udp_fd);
	return port;
}

int
sandbox_free_port(char **err)
{
	for (int attempt = 0; attempt < SANDBOX_FREE_PORT_ATTEMPTS; attempt++) {
		int port = sandbox_try_free_port(err);
		if (port != 0)
			return port;
	}
	sandbox_set_error(err, "free port: %d ports free for TCP were all taken for UDP",
			  SANDBOX_FREE_PORT_ATTEMPTS);
	return -1;
}
