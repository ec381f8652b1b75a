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

#include "i18n.h"

/* The forms of a description, in English: made with them, read back by
 * them (sandbox_description_shown). Each names one reason at most. */
enum description_form { FORM_PRIVATE, FORM_PRIVATE_SLOW, FORM_HOST, FORM_COUNT };
static const char *const description_forms[FORM_COUNT] = {
	[FORM_PRIVATE] = N_("private netns"),
	[FORM_PRIVATE_SLOW] = N_("private netns (shared TCP hash table, %s: slower probe)"),
	[FORM_HOST] = N_("host network (%s); lesson ports mapped"),
};

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

/* The steps of the private path, in the order sandbox_enter takes them.
 * Where one fails, the notice names the step and, through
 * sandbox_causes, what refused it and what cures it. */
enum sandbox_step {
	SANDBOX_STEP_USERNS,    /* unshare(CLONE_NEWUSER) */
	SANDBOX_STEP_ID_MAPS,   /* setgroups, uid_map, gid_map */
	SANDBOX_STEP_NETNS,     /* unshare(CLONE_NEWNET): the outer namespace */
	SANDBOX_STEP_MOUNTNS,   /* unshare(CLONE_NEWNS): the private directory's */
	SANDBOX_STEP_LO,        /* lo up, in the inner namespace */
	SANDBOX_STEP_NESTED,    /* unshare(CLONE_NEWNET) again: the inner namespace */
	SANDBOX_STEP_COUNT,
};

#define SANDBOX_STEP(step) (1u << (step))
#define SANDBOX_ALL_STEPS ((1u << SANDBOX_STEP_COUNT) - 1)

static const char *const sandbox_step_refused[] = {
	[SANDBOX_STEP_USERNS] = "user namespace refused",
	[SANDBOX_STEP_ID_MAPS] = "user namespace's uid/gid map refused",
	[SANDBOX_STEP_NETNS] = "private network namespace refused",
	[SANDBOX_STEP_MOUNTNS] = "private mount namespace refused",
	[SANDBOX_STEP_LO] = "lo of the private network namespace refused",
	[SANDBOX_STEP_NESTED] = "nested network namespace refused",
};
_Static_assert(SANDBOX_LENGTH(sandbox_step_refused) == SANDBOX_STEP_COUNT, "a name for every step");

/* The limit (under /proc/sys/user/) that makes a step fail with ENOSPC. */
static const char *const sandbox_step_limit[] = {
	[SANDBOX_STEP_USERNS] = "max_user_namespaces",
	[SANDBOX_STEP_NETNS] = "max_net_namespaces",
	[SANDBOX_STEP_MOUNTNS] = "max_mnt_namespaces",
	[SANDBOX_STEP_NESTED] = "max_net_namespaces",
};

/* What a failed step says about its cause. */
struct sandbox_failure {
	enum sandbox_step step;
	int errno_value;
};

static bool sandbox_is_undumpable(void);
static bool sandbox_apparmor_restricts(void);
static bool sandbox_seccomp_filters(void);
static bool sandbox_userns_clone_off(void);
static bool sandbox_limits_low(void);

/* Causes, most specific first: the first row whose steps, errno (0: any)
 * and condition all match names the cause and its cure. A limit reached
 * (ENOSPC) is worded by sandbox_limit_cause instead. */
static const struct sandbox_cause {
	unsigned steps;
	int errno_value;
	bool (*holds)(void);
	const char *cause;
} sandbox_causes[] = {
	/* Ubuntu >= 23.10 lets an unconfined process make the user
	 * namespace, then denies it every capability inside (AppArmor's
	 * unprivileged_userns profile): the maps, the network namespace, lo
	 * and the sysctls fail with EPERM. */
	{ SANDBOX_ALL_STEPS, EPERM, sandbox_apparmor_restricts,
	  "AppArmor restricts unprivileged user namespaces: `sudo cmake --install build` installs "
	  "socklab's profile" },
	{ SANDBOX_ALL_STEPS, EACCES, sandbox_apparmor_restricts,
	  "AppArmor restricts unprivileged user namespaces: `sudo cmake --install build` installs "
	  "socklab's profile" },
	{ SANDBOX_ALL_STEPS, EPERM, sandbox_seccomp_filters,
	  "a seccomp filter refuses new namespaces, as containers' do: run socklab outside the "
	  "container" },
	{ SANDBOX_STEP(SANDBOX_STEP_USERNS), EPERM, sandbox_userns_clone_off,
	  "kernel.unprivileged_userns_clone is 0: `sudo sysctl -w "
	  "kernel.unprivileged_userns_clone=1` allows them" },
	{ SANDBOX_STEP(SANDBOX_STEP_USERNS), EPERM, NULL,
	  "user namespaces are closed to this user: `sudo sysctl -w "
	  "kernel.unprivileged_userns_clone=1` allows them where that sysctl exists" },
	{ SANDBOX_STEP(SANDBOX_STEP_USERNS), EINVAL, NULL,
	  "the process has threads, or the kernel has no user namespaces" },
	{ SANDBOX_STEP(SANDBOX_STEP_USERNS), EUSERS, NULL, "user namespaces nested too deep" },
	/* A process that changed its uid without exec is not dumpable, and
	 * the kernel then gives its /proc/self files to root, so an ordinary
	 * user can no longer open its own uid_map. */
	{ SANDBOX_STEP(SANDBOX_STEP_ID_MAPS), 0, sandbox_is_undumpable,
	  "the process is not dumpable, its uid changed without exec: start socklab directly" },
	{ SANDBOX_ALL_STEPS, ENOSYS, NULL, "unshare() is filtered or missing" },
	{ SANDBOX_ALL_STEPS, ENOMEM, NULL, "out of memory" },
};

/* Conditions under which a step after unshare(CLONE_NEWUSER) may fail,
 * which would strand the process in a namespace it cannot run in (no
 * uid to create files as, no lo). Where one holds, the private path is
 * first taken in a throwaway child. */
static bool (*const sandbox_hazards[])(void) = {
	sandbox_is_undumpable,
	sandbox_apparmor_restricts,
	sandbox_seccomp_filters,
	sandbox_limits_low,
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

/* The first number in a /proc file, or `absent` where it has none. */
static long
sandbox_read_number(const char *path, long absent)
{
	char text[32];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd == -1)
		return absent;
	ssize_t got = read(fd, text, sizeof text - 1);
	close(fd);
	if (got <= 0)
		return absent;
	text[got] = '\0';
	char *end;
	long value = strtol(text, &end, 10);
	return end == text ? absent : value;
}

static bool
sandbox_apparmor_restricts(void)
{
	return sandbox_read_number("/proc/sys/kernel/apparmor_restrict_unprivileged_userns",
				   0) == 1;
}

static bool
sandbox_userns_clone_off(void)
{
	/* Debian's and Ubuntu's own switch, absent from other kernels */
	return sandbox_read_number("/proc/sys/kernel/unprivileged_userns_clone", 1) == 0;
}

/* Whether a seccomp filter sits on this process ("Seccomp: 2" in
 * /proc/self/status), as a container runtime's or a sandbox's does. */
static bool
sandbox_seccomp_filters(void)
{
	char status[4096];
	int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	if (fd == -1)
		return false;
	size_t length = sandbox_read_text(fd, status, sizeof status);
	close(fd);
	const char *field = length > 0 ? strstr(status, "\nSeccomp:") : NULL;
	return field != NULL && strtol(field + strlen("\nSeccomp:"), NULL, 10) == 2;
}

/* Whether this user namespace allows fewer namespaces than the lab makes:
 * one user, one mount and two network namespaces. */
static bool
sandbox_limits_low(void)
{
	return sandbox_read_number("/proc/sys/user/max_user_namespaces", 1000) < 1
	       || sandbox_read_number("/proc/sys/user/max_mnt_namespaces", 1000) < 1
	       || sandbox_read_number("/proc/sys/user/max_net_namespaces", 1000) < 2;
}

/* Writes the one line that names a failed step, its cause and the cure,
 * e.g. "private network namespace refused (AppArmor restricts ...)". */
static void
sandbox_explain(const struct sandbox_failure *failure, char *line, size_t size)
{
	const char *refused = sandbox_step_refused[failure->step];
	const char *limit = sandbox_step_limit[failure->step];

	for (size_t i = 0; i < SANDBOX_LENGTH(sandbox_causes); i++) {
		const struct sandbox_cause *cause = &sandbox_causes[i];
		if ((cause->steps & SANDBOX_STEP(failure->step)) == 0
		    || (cause->errno_value != 0 && cause->errno_value != failure->errno_value)
		    || (cause->holds != NULL && !cause->holds()))
			continue;
		snprintf(line, size, "%s (%s)", refused, cause->cause);
		return;
	}
	if (failure->errno_value == ENOSPC && limit != NULL) {
		char path[64];
		snprintf(path, sizeof path, "/proc/sys/user/%s", limit);
		snprintf(line, size, "%s (user.%s is %ld here, or in a parent namespace: "
			 "`sudo sysctl -w user.%s=15000` raises it)",
			 refused, limit, sandbox_read_number(path, -1), limit);
		return;
	}
	snprintf(line, size, "%s (%s)", refused, strerror(failure->errno_value));
}

static void
sandbox_use_host(struct sandbox *sandbox, const char *reason)
{
	sandbox->kind = SANDBOX_HOST;
	snprintf(sandbox->reason, sizeof sandbox->reason, "%s", reason);
	snprintf(sandbox->description, sizeof sandbox->description, description_forms[FORM_HOST],
		 sandbox->reason);
	snprintf(sandbox->notice, sizeof sandbox->notice, "%.200s — running on the host's loopback",
		 sandbox->reason);
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
		errno = failure;
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
		sandbox_set_error(err, "bring lo up: ioctl(%s): %s", failed_call,
				  strerror(saved_errno));
		errno = saved_errno;
		return -1;
	}
	return 0;
}

/* Sizes the hash tables of the namespaces made from here on.
 * Returns whether the TCP table will be small; where it will not, says
 * why in `why`. */
static bool
sandbox_size_child_hashes(char *why, size_t why_size)
{
	bool small = true;

	for (size_t i = 0; i < SANDBOX_LENGTH(sandbox_child_hashes); i++) {
		const struct sandbox_child_hash *hash = &sandbox_child_hashes[i];
		int failure = sandbox_write_proc(hash->path, hash->entries);
		if (failure != 0 && hash->makes_probe_fast) {
			small = false;
			snprintf(why, why_size, "%s: %s", strrchr(hash->path, '/') + 1,
				 strerror(failure));
		}
	}
	return small;
}

/* Makes a fresh inner namespace from the current (outer) one.
 * Returns 0, or -1 with *err the step's one line. */
static int
sandbox_make_inner(struct sandbox *sandbox, char **err)
{
	char line[sizeof sandbox->reason];
	struct sandbox_failure failure = { SANDBOX_STEP_NESTED, 0 };

	if (unshare(CLONE_NEWNET) == -1
	    || (failure.step = SANDBOX_STEP_LO, sandbox_bring_lo_up(NULL)) == -1) {
		failure.errno_value = errno;
		sandbox_explain(&failure, line, sizeof line);
		sandbox_set_error(err, "%s", line);
		return -1;
	}
	sandbox->inner_count++;
	return 0;
}

/* Takes every step of the private path, one call at a time, so that a
 * refusal names its step. Only for a throwaway child: on success the
 * caller is in namespaces of its own. Returns 0, or -1 with *failure. */
static int
sandbox_take_each_step(uid_t uid, gid_t gid, struct sandbox_failure *failure)
{
	char why[128];
	const struct { enum sandbox_step step; int flags; } unshares[] = {
		{ SANDBOX_STEP_USERNS, CLONE_NEWUSER },
		{ SANDBOX_STEP_NETNS, CLONE_NEWNET },
		{ SANDBOX_STEP_MOUNTNS, CLONE_NEWNS },
	};

	for (size_t i = 0; i < SANDBOX_LENGTH(unshares); i++) {
		failure->step = unshares[i].step;
		if (unshare(unshares[i].flags) == -1)
			return -1;
		failure->step = SANDBOX_STEP_ID_MAPS;
		if (unshares[i].step == SANDBOX_STEP_USERNS
		    && sandbox_map_ids(uid, gid, NULL) == -1)
			return -1;
	}
	sandbox_size_child_hashes(why, sizeof why);
	failure->step = SANDBOX_STEP_NESTED;
	if (unshare(CLONE_NEWNET) == -1)
		return -1;
	failure->step = SANDBOX_STEP_LO;
	return sandbox_bring_lo_up(NULL);
}

/* The child's half of sandbox_try_in_child: it reports "+" or the failed
 * step and its errno. */
static void __attribute__((noreturn))
sandbox_trial_child(int report_fd, uid_t uid, gid_t gid)
{
	struct sandbox_failure failure = { SANDBOX_STEP_USERNS, 0 };
	char report[32] = "+";

	if (sandbox_take_each_step(uid, gid, &failure) == -1)
		snprintf(report, sizeof report, "%d %d", (int)failure.step, errno);
	/* Nothing to do if the write fails: an empty report reads as failure. */
	if (write(report_fd, report, strlen(report)) == -1)
		_exit(1);
	_exit(0);
}

/* Runs the private path in a throwaway child, whose namespaces die with it.
 * Returns 0 when the child got through, or -1 with the one line that says
 * why in `line`. The verdict travels through a pipe rather than the exit
 * status, which a caller that ignores SIGCHLD would never see. */
static int
sandbox_try_in_child(uid_t uid, gid_t gid, char *line, size_t line_size)
{
	int report[2];

	if (pipe2(report, O_CLOEXEC) == -1) {
		snprintf(line, line_size, "private network namespace not tried (pipe: %s)",
			 strerror(errno));
		return -1;
	}
	pid_t child = fork();
	if (child == -1) {
		snprintf(line, line_size, "private network namespace not tried (fork: %s)",
			 strerror(errno));
		close(report[0]);
		close(report[1]);
		return -1;
	}
	if (child == 0) {
		close(report[0]);
		sandbox_trial_child(report[1], uid, gid);
	}
	close(report[1]);

	char message[32];
	sandbox_read_text(report[0], message, sizeof message);
	close(report[0]);
	while (waitpid(child, NULL, 0) == -1 && errno == EINTR)
		;

	if (strcmp(message, "+") == 0)
		return 0;
	int step, errno_value;
	if (sscanf(message, "%d %d", &step, &errno_value) != 2 || step < 0
	    || step >= SANDBOX_STEP_COUNT) {
		snprintf(line, line_size,
			 "private network namespace not tried (the trial child died)");
		return -1;
	}
	struct sandbox_failure failure = { (enum sandbox_step)step, errno_value };
	sandbox_explain(&failure, line, line_size);
	return -1;
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
	char line[sizeof sandbox->reason];
	for (size_t i = 0; i < SANDBOX_LENGTH(sandbox_hazards); i++) {
		if (!sandbox_hazards[i]())
			continue;
		if (sandbox_try_in_child(uid, gid, line, sizeof line) == -1) {
			sandbox_use_host(sandbox, line);
			return 0;
		}
		break;
	}

	/* A mount namespace too, owned by the new user namespace, so the lab
	 * may make a tmpfs of its own for Unix socket files (see
	 * sandbox_private_dir), which the puppets take as their root; the
	 * controller's file system looks the same from inside. A failed
	 * unshare changes nothing: the host path stays open, and a child
	 * taking one step at a time finds which one the kernel refuses. */
	if (unshare(CLONE_NEWUSER | CLONE_NEWNET | CLONE_NEWNS) == -1) {
		struct sandbox_failure failure = { SANDBOX_STEP_USERNS, errno };
		if (failure.errno_value == EINVAL
		    || sandbox_try_in_child(uid, gid, line, sizeof line) == 0)
			sandbox_explain(&failure, line, sizeof line);
		sandbox_use_host(sandbox, line);
		return 0;
	}

	/* From here on the process is in the new namespaces for good: a
	 * failure is an error, not a fallback. The creator holds every
	 * capability in the user namespace it made, as long as it does not
	 * exec, so it may write the maps, the sysctls, and lo's flags. */
	if (sandbox_map_ids(uid, gid, NULL) == -1) {
		struct sandbox_failure failure = { SANDBOX_STEP_ID_MAPS, errno };
		sandbox_explain(&failure, line, sizeof line);
		sandbox_set_error(err, "%s", line);
		return -1;
	}
	char why_slow[128] = "";
	sandbox->small_hash = sandbox_size_child_hashes(why_slow, sizeof why_slow);
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
	if (sandbox->small_hash)
		snprintf(sandbox->description, sizeof sandbox->description, "%s",
			 description_forms[FORM_PRIVATE]);
	else
		snprintf(sandbox->description, sizeof sandbox->description,
			 description_forms[FORM_PRIVATE_SLOW], why_slow);
	return 0;
}

void sandbox_description_shown(const char *description, char *out, size_t size)
{
	size_t length = strlen(description);
	for (int form = 0; form < FORM_COUNT; form++) {
		const char *english = description_forms[form];
		const char *hole = strstr(english, "%s");
		if (!hole) {
			if (strcmp(description, english) == 0) {
				snprintf(out, size, "%s", _(english));
				return;
			}
			continue;
		}
		size_t before = (size_t)(hole - english), after = strlen(hole + 2);
		if (length >= before + after && strncmp(description, english, before) == 0
		    && strcmp(description + length - after, hole + 2) == 0) {
			char reason[320];
			snprintf(reason, sizeof reason, "%.*s", (int)(length - before - after),
				 description + before);
			snprintf(out, size, _(english), reason);
			return;
		}
	}
	snprintf(out, size, "%s", description);
}

const char *
sandbox_notice(const struct sandbox *sandbox)
{
	if (sandbox->kind != SANDBOX_HOST || strcmp(sandbox->reason, "--host given") == 0)
		return NULL;
	return sandbox->notice;
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
	else if ((mount_fd =
			  fsmount(context, FSMOUNT_CLOEXEC,
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
		sandbox_set_error(err, "free port: bind a TCP socket to 127.0.0.1:0: %s",
				  strerror(errno));
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
