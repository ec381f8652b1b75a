/* sandbox — where the lab's two processes live.
 *
 * Private path: the controller moves itself into a new user namespace and a
 * network namespace of its own ("outer"), writes
 * net.ipv4.tcp_child_ehash_entries there, and then unshares a second network
 * namespace ("inner") for the pair, with only `lo`, brought up by the lab.
 * The inner namespace gets a small private TCP hash table, so a sock_diag
 * dump costs microseconds instead of walking the host's 262,144 buckets.
 * Puppets forked afterwards inherit the inner namespace. The lesson's fixed
 * port never clashes with anything, INADDR_ANY exposes nothing, TIME-WAIT
 * vanishes with the lab. This works for an ordinary user wherever
 * unprivileged user namespaces are allowed.
 *
 * Host path (forced, or when the kernel refuses a namespace): nothing is
 * changed; the session keeps every address on loopback, maps the lesson's
 * ports onto free ones and refuses file names outside the lab's directory.
 * `reason` says why, in one line, for every frontend.
 *
 * The controller must be single-threaded when calling sandbox_enter
 * (unshare(CLONE_NEWUSER) requires it).
 */
#ifndef SOCKLAB_SANDBOX_H
#define SOCKLAB_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>

enum sandbox_kind {
	SANDBOX_NONE,    /* not entered yet */
	SANDBOX_NETNS,   /* private user + network namespace */
	SANDBOX_HOST,    /* the host's network namespace */
};

struct sandbox {
	enum sandbox_kind kind;
	char reason[256];      /* SANDBOX_HOST: why, in one line naming the step, the cause and the
	                          cure, e.g. "private network namespace refused (AppArmor restricts
	                          unprivileged user namespaces: `sudo cmake --install build`
	                          installs socklab's profile)", or "--host given" */
	int outer_netns_fd;    /* SANDBOX_NETNS: the outer namespace, to make fresh inner
	                          ones; -1 otherwise */
	int inner_count;       /* how many inner namespaces were made (for the benchmark) */
	bool small_hash;       /* SANDBOX_NETNS: the inner namespace has its own 256-bucket TCP
	                          hash table; false when tcp_child_ehash_entries (Linux >= 6.1)
	                          could not be written, so every probe dump walks
	                          the host's table */
	char description[320]; /* what sandbox_describe returns once entered */
	char notice[320];      /* SANDBOX_HOST: what sandbox_notice returns */
};

/* Enters the private namespace, or records why the host is used instead.
 * A namespace that cannot be made is not an error: it falls back to the
 * host with a reason. Returns -1 only when the process is left in a state
 * it cannot run in (e.g. the user namespace was made but lo could not be
 * brought up), with *err malloc'd.
 * It fills every field of *sandbox; no initialisation is needed. Where the
 * kernel could make the user namespace yet refuse what follows (AppArmor's
 * kernel.apparmor_restrict_unprivileged_userns, a seccomp filter, namespace
 * limits below what the lab makes, or a process made undumpable by a uid
 * change without exec), it first takes the private path one step at a time
 * in a throwaway child, and falls back to the host if a step fails; so it
 * does when unshare itself refuses. The reason then names the step (user
 * namespace, uid/gid maps, network or mount namespace, lo, the nested
 * namespace), the cause and its cure. */
int sandbox_enter(struct sandbox *sandbox, bool force_host, char **err);

/* SANDBOX_NETNS: leave the current inner namespace for a fresh one (lo up),
 * so a restarted lesson sees no socket of the previous run. The old one
 * is torn down by the kernel once its last process and socket are gone.
 * SANDBOX_HOST: nothing to do. Returns 0, or -1 with *err. */
int sandbox_renew(struct sandbox *sandbox, char **err);

/* SANDBOX_NETNS: a fresh, empty directory that exists nowhere in the file
 * system (a detached tmpfs), for Unix socket files; puppets fchdir() to it
 * and make it their root (chroot, allowed by the user namespace), so it is
 * their whole file system; a program side only starts in it.
 * It vanishes with the last process using it, even after SIGKILL.
 * Returns its fd (O_CLOEXEC), or -1 with *err (always on the host path). */
int sandbox_private_dir(const struct sandbox *sandbox, char **err);

/* Closes outer_netns_fd; the namespaces die with the process. Safe twice. */
void sandbox_done(struct sandbox *sandbox);

/* A one-line description for headers: "private netns" or
 * "host network (<reason>); lesson ports mapped". Static or inside sandbox. */
const char *sandbox_describe(const struct sandbox *sandbox);

/* A description as sandbox_describe made it (in English, as runs and
 * traces keep it) in the language chosen, into `out`; its reason stays
 * as recorded. One that is none of the lab's forms is copied. */
void sandbox_description_shown(const char *description, char *out, size_t size);

/* A fallback the user did not ask for, in one line for stderr:
 * "<reason> — running on the host's loopback"; NULL on the private path
 * and with --host. Inside sandbox. */
const char *sandbox_notice(const struct sandbox *sandbox);

/* Host path: a free TCP/UDP port on 127.0.0.1 (both protocols free at the time of asking),
 * or -1 with *err. */
int sandbox_free_port(char **err);

#endif
