/* session — runs steps on the puppets and ties the probe's sockets to sides. */
#include "session.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "capture.h"
#include "config.h"
#include "fdtable.h"
#include "hold.h"
#include "probe.h"
#include "program.h"
#include "puppet.h"
#include "tie.h"
#include "exact.h"
#include "resend.h"
#include "timed.h"

enum {
	MAX_NAMES = 64,       /* names a side gives in one run */
	PROGRAM_TIMEOUT_MS = 10000, /* a program side's call: time to reach it, or to return or sleep */
	MAX_PRODUCED = 4096,  /* fd numbers a side's calls may have made: 0 .. MAX_PRODUCED - 1 */
	PORT_COUNT = 65536,
};

/* A name a step gave to a result: `conn = accept(ls)`. */
struct name_binding {
	char name[NAME_MAX_LEN];
	int fd;
	bool closed;          /* the fd was closed: the program still holds the number */
};

/* A socket fd of a side and its inode, as the puppet's fstat() reported it
 * when socket() or accept() made it. Only those calls add an fd and only
 * close() removes one, so the table is the process's own. */
struct held_fd {
	int fd;
	uint32_t inode;
};

/* What a socket() or accept() returned: the kernel does not list a TCP or
 * UDP socket that has no address yet, so the session remembers its kind. */
struct fd_kind {
	int fd;
	int family;
	int type;
	bool bound_only;      /* TCP, bound, neither listening nor connected */
	bool listening;       /* listen() succeeded on it */
};

struct side {
	struct puppet puppet;
	struct program program;         /* `program SIDE:` lessons: the side's program, instead of a puppet */
	bool is_program;
	struct name_binding names[MAX_NAMES];
	int name_count;
	struct held_fd *fds;            /* owned, grown as needed: every socket a side holds shows */
	int fd_count, fd_capacity;
	struct fd_kind *kinds;          /* owned, grown as needed */
	int kind_count, kind_capacity;
	/* Every fd number a call of this side returned (socket, accept,
	 * epoll_create), closed or not: the only numbers its calls may name.
	 * A closed one still reaches the kernel (EBADF, or the socket that
	 * took the number since), as in any program; others reach nothing. */
	uint64_t produced[MAX_PRODUCED / 64];
	/* The call asleep in the kernel, if any. */
	bool blocked;
	size_t blocked_step;            /* index of the step whose call sleeps (steps may grow: free play) */
	struct puppet_request request;  /* the last request (the blocked one's arguments) */
	bool observed;                  /* a traced program's side (session_observe): `processes` holds its fds */
	struct fdtable processes;
};

struct session {
	const struct lesson *lesson;
	struct sandbox *sandbox;
	struct probe *probe;
	struct side sides[LESSON_MAX_SIDES];
	int side_count;
	int workdir_fd;                   /* puppets' cwd in the private path: a detached tmpfs, or -1 */
	char workdir[64];                 /* puppets' cwd on the host path: a temporary directory, or "" */
	size_t steps_done;
	struct lab_event *events;
	size_t event_count, event_capacity;
	struct lab_snapshot snapshot;
	struct lab_snapshot baseline;     /* what "changed" compares with: the snapshot before this phase */
	struct tie *tie;                  /* whose each kernel socket is; remembers closed ones */
	struct tie_fd *tie_fds;           /* scratch: every fd of every side, per snapshot */
	size_t tie_fd_count, tie_fd_capacity;
	struct probe_snapshot raw;
	struct exact *exact;              /* host path: the lab's sockets asked for exactly, not dumped */
	size_t events_probed;             /* events up to here were made before the last snapshot */
	uint32_t *touched;                /* scratch: inodes of the fds this step's calls used or made */
	char probe_note[128];             /* for the step's last event: what a dump found that exact requests missed */
	size_t touched_capacity;
	struct run_info info;
	size_t failure_count;
	const volatile sig_atomic_t *interrupt;   /* non-zero: stop waiting */
	bool capturing;                   /* session_capture() asked for the wire */
	struct capture *capture;          /* NULL when not capturing (or impossible) */
	struct capture_file *pcap;        /* --pcap: every packet of the run, across restarts */
	struct capture_batch batch;
	struct hold *hold;                /* the lesson says `wire: hold`, in the private path */
	uint16_t *host_ports;             /* host path: the host's port for each lesson port, 0 unmapped
	                                     (PORT_COUNT entries), then a bitmap of the host ports given out */
	struct timed_table timed;         /* since when each named socket is in its state, its timer */
	struct resend_table resend;       /* held segments seen, to tell their copies */
	struct puppet_reply reply;        /* scratch: 64 KiB, kept off the stack */
};

/* ---- small tables ------------------------------------------------------ */

static const char *const note_texts[NOTE_COUNT] = {
	[NOTE_NONE] = "",
	[NOTE_UNBOUND] = "no address yet",
	[NOTE_BOUND_ONLY] = "bound only: not listening, not connected",
	[NOTE_ACCEPT_QUEUE] = "in accept queue, no fd",
	[NOTE_HANDSHAKE] = "handshake not done, no fd",
	[NOTE_CLOSED] = "fd closed, kernel finishing",
	[NOTE_KERNEL_COPY] = "kernel's copy; fd still open",
	[NOTE_DROPPED] = "closed: gone from the kernel's tables",
	[NOTE_RESET] = "in no kernel table: reset",
	[NOTE_UNKNOWN] = "not the lab's?",
};

static const char *const event_kind_names[EVENT_KIND_COUNT] = {
	[EVENT_RETURNED] = "returned",
	[EVENT_BLOCKED] = "blocked",
	[EVENT_WOKE] = "woke",
	[EVENT_NOT_RUN] = "not run",
	[EVENT_SKIPPED] = "skipped",
};

const char *session_state_text(const struct lab_socket *socket)
{
	if (socket->state == 0)
		return "-";
	/* sock_diag reuses TCP's numbers for every kind: CLOSE means "not
	 * connected" to a datagram or Unix socket. */
	if (socket->state == TCP_CLOSE && (socket->family == AF_UNIX || socket->type == SOCK_DGRAM))
		return "UNCONN";
	return probe_state_name(socket->state, socket->type);
}

const char *session_note_text(enum socket_note note)
{
	return note < NOTE_COUNT ? note_texts[note] : "";
}

const char *session_event_kind_name(enum event_kind kind)
{
	return kind < EVENT_KIND_COUNT ? event_kind_names[kind] : "?";
}

int session_event_kind_value(const char *name)
{
	for (int i = 0; i < EVENT_KIND_COUNT; i++)
		if (strcmp(event_kind_names[i], name) == 0)
			return i;
	return -1;
}

/* ---- working directory ------------------------------------------------- */

static void workdir_clear(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *entry;
	while ((entry = readdir(d)))
		if (strcmp(entry->d_name, ".") && strcmp(entry->d_name, ".."))
			unlinkat(dirfd(d), entry->d_name, 0);
	closedir(d);
}

/* Where the puppets' Unix socket paths (./echo.sock) live: a tmpfs that
 * exists nowhere else in the private path (nothing to clean, whatever way
 * the lab ends), which is the puppets' root there; a temporary directory
 * on the host path, which the lab's names may not leave (host_address). */
/* A lab killed with SIGKILL cannot remove its host-path directory; its
 * name carries its pid, so the next lab of the same user removes it. */
static void workdir_remove_stale(const char *base)
{
	DIR *dir = opendir(base);
	if (!dir)
		return;
	struct dirent *entry;
	while ((entry = readdir(dir))) {
		int pid;
		char rest[16];
		if (sscanf(entry->d_name, "socklab-%d-%15s", &pid, rest) != 2 || pid <= 0)
			continue;
		struct stat st;
		if (fstatat(dirfd(dir), entry->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(st.st_mode)
		    || st.st_uid != geteuid() || kill(pid, 0) == 0 || errno != ESRCH)
			continue;
		char path[512];
		snprintf(path, sizeof path, "%s/%s", base, entry->d_name);
		workdir_clear(path);
		rmdir(path);
	}
	closedir(dir);
}

static int workdir_make(struct session *session, char **err)
{
	session->workdir_fd = sandbox_private_dir(session->sandbox, NULL);
	if (session->workdir_fd >= 0)
		return 0;
	if (session->workdir[0])
		return 0;   /* the host path keeps its directory across restarts */
	const char *base = getenv("TMPDIR");
	if (!base || !*base || strlen(base) > 32)
		base = "/tmp";
	workdir_remove_stale(base);
	snprintf(session->workdir, sizeof session->workdir, "%s/socklab-%d-XXXXXX", base, (int)getpid());
	if (!mkdtemp(session->workdir)) {
		session->workdir[0] = '\0';
		return text_error(err, "cannot make a working directory in %s: %s", base, strerror(errno));
	}
	return 0;
}

static void workdir_done(struct session *session, bool remove)
{
	if (session->workdir_fd >= 0)
		close(session->workdir_fd);
	session->workdir_fd = -1;
	if (session->workdir[0]) {
		workdir_clear(session->workdir);
		if (remove) {
			rmdir(session->workdir);
			session->workdir[0] = '\0';
		}
	}
}

/* ---- sides: names, fds, kinds ----------------------------------------- */

static struct name_binding *find_name(struct side *side, const char *name)
{
	for (int i = side->name_count - 1; i >= 0; i--)
		if (strcmp(side->names[i].name, name) == 0)
			return &side->names[i];
	return NULL;
}

static void bind_name(struct side *side, const char *name, int fd)
{
	/* A number now named anew is no longer the old name's. */
	for (int i = 0; i < side->name_count; i++)
		if (side->names[i].fd == fd)
			side->names[i].closed = true;
	struct name_binding *binding = find_name(side, name);
	if (!binding && side->name_count < MAX_NAMES)
		binding = &side->names[side->name_count++];
	if (!binding)
		return;
	text_copy(binding->name, sizeof binding->name, name);
	binding->fd = fd;
	binding->closed = false;
}

static const char *name_of_fd(const struct side *side, int fd)
{
	for (int i = 0; i < side->name_count; i++)
		if (side->names[i].fd == fd && !side->names[i].closed)
			return side->names[i].name;
	return "";
}

static struct fd_kind *find_kind(struct side *side, int fd)
{
	for (int i = 0; i < side->kind_count; i++)
		if (side->kinds[i].fd == fd)
			return &side->kinds[i];
	return NULL;
}

/* Room for one more element in a side's array of `*capacity`; false when
 * out of memory (the element is then not kept). */
static bool make_room(void **array, int *capacity, int count, size_t element_size)
{
	if (count < *capacity)
		return true;
	int grown_capacity = *capacity ? *capacity * 2 : 16;
	void *grown = realloc(*array, (size_t)grown_capacity * element_size);
	if (!grown)
		return false;
	*array = grown;
	*capacity = grown_capacity;
	return true;
}

static void set_kind(struct side *side, int fd, int family, int type)
{
	struct fd_kind *kind = find_kind(side, fd);
	if (!kind && make_room((void **)&side->kinds, &side->kind_capacity, side->kind_count, sizeof *side->kinds))
		kind = &side->kinds[side->kind_count++];
	if (kind)
		*kind = (struct fd_kind){ .fd = fd, .family = family, .type = type & 0xf };
}

static void drop_kind(struct side *side, int fd)
{
	struct fd_kind *kind = find_kind(side, fd);
	if (kind)
		*kind = side->kinds[--side->kind_count];
}

static void keep_fd(struct side *side, int fd, uint32_t inode)
{
	for (int i = 0; i < side->fd_count; i++)
		if (side->fds[i].fd == fd) {
			side->fds[i].inode = inode;
			return;
		}
	if (make_room((void **)&side->fds, &side->fd_capacity, side->fd_count, sizeof *side->fds))
		side->fds[side->fd_count++] = (struct held_fd){ .fd = fd, .inode = inode };
}

static void release_fd(struct side *side, int fd)
{
	for (int i = 0; i < side->fd_count; i++)
		if (side->fds[i].fd == fd) {
			side->fds[i] = side->fds[--side->fd_count];
			return;
		}
}

/* ---- host path: ports ---------------------------------------------- */

/* Why the lab refuses a call itself, before any kernel sees it. */
struct refusal {
	int error;            /* the errno the call returns; 0: not refused */
	char why[160];
};

static void refuse(struct refusal *refusal, int error, const char *format, ...) __attribute__((format(printf, 3, 4)));
static void refuse(struct refusal *refusal, int error, const char *format, ...)
{
	if (!refusal || refusal->error)
		return;   /* the first reason stands */
	va_list args;
	va_start(args, format);
	vsnprintf(refusal->why, sizeof refusal->why, format, args);
	va_end(args);
	refusal->error = error;
}

/* The host's port for a lesson's port, or 0 with *err when none is free.
 * Every lesson port gets its own host port, however many the lesson names;
 * the run's header lists the first ones (run_info.port_map). */
static uint16_t map_port(struct session *session, uint16_t port, char **err)
{
	if (!session->host_ports) {
		session->host_ports = calloc(PORT_COUNT + PORT_COUNT / 16, sizeof *session->host_ports);
		if (!session->host_ports) {
			text_error(err, "out of memory");
			return 0;
		}
	}
	uint16_t *taken = session->host_ports + PORT_COUNT;
	if (session->host_ports[port])
		return session->host_ports[port];
	/* A port free now is not held until a socket binds it: the kernel may
	 * offer it again for the next lesson port. */
	int free_port = -1;
	for (int attempt = 0; attempt < 64 && free_port < 0; attempt++) {
		free_port = sandbox_free_port(err);
		if (free_port < 0)
			return 0;
		if (taken[free_port / 16] & (1u << (free_port % 16)))
			free_port = -1;
	}
	if (free_port < 0) {
		text_error(err, "no free port on this host for the lesson's port %u", (unsigned)port);
		return 0;
	}
	taken[free_port / 16] |= (uint16_t)(1u << (free_port % 16));
	session->host_ports[port] = (uint16_t)free_port;
	struct run_info *info = &session->info;
	if (info->port_map_count < (int)(sizeof info->port_map / sizeof info->port_map[0])) {
		info->port_map[info->port_map_count].from = port;
		info->port_map[info->port_map_count].to = (uint16_t)free_port;
		info->port_map_count++;
	}
	return (uint16_t)free_port;
}

/* Whether a file name stays in the lab's directory: relative, and no `..`
 * component. The kernel reads a name up to its first NUL. */
static bool name_stays_inside(const char *name, size_t size)
{
	size_t length = strnlen(name, size);
	if (length > 0 && name[0] == '/')
		return false;
	for (size_t at = 0; at < length;) {
		size_t component = strcspn(name + at, "/");
		if (at + component > length)
			component = length - at;
		if (component == 2 && name[at] == '.' && name[at + 1] == '.')
			return false;
		at += component + 1;
	}
	return true;
}

static void refuse_name(struct refusal *refusal, const char *name, size_t size)
{
	if (!name_stays_inside(name, size))
		refuse(refusal, EACCES, "on the host path a file name stays in the lab's directory: %.*s %s "
		       "(write ./name)", (int)strnlen(name, size > 80 ? 80 : size), name,
		       name[0] == '/' ? "is absolute" : "goes up with ..");
}

/* An abstract Unix name (@echo) lives in the network namespace, which the
 * host path shares with every program of the machine: the lab puts its
 * own prefix before it, as it moves ports, so it reaches no one else's. */
static void host_abstract(struct sockaddr_storage *address, socklen_t *length, struct refusal *refusal)
{
	struct sockaddr_un *un = (struct sockaddr_un *)address;
	size_t name_length = *length - offsetof(struct sockaddr_un, sun_path) - 1;
	/* The controller's pid: no other running lab has it. */
	char base[32], name[sizeof un->sun_path];
	snprintf(base, sizeof base, "lab%d", (int)getpid());
	int prefixed = snprintf(name, sizeof name, "%s/%.*s", base, (int)name_length, un->sun_path + 1);
	if (prefixed < 0 || (size_t)prefixed + 1 > sizeof un->sun_path) {
		refuse(refusal, ENAMETOOLONG, "the abstract name is too long for the lab's prefix @%s/", base);
		return;
	}
	memcpy(un->sun_path + 1, name, (size_t)prefixed);
	*length = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + (size_t)prefixed);
}

/* Whether an IPv4 address (network order) is on loopback: 127.0.0.0/8. */
static bool loopback4(uint32_t address)
{
	return (ntohl(address) >> 24) == 127;
}

/* On the host, the lab keeps to loopback and moves the lesson's fixed
 * ports onto free ones, so students sharing a machine never collide and
 * nothing of the lab is reachable from, or reaches, the network: the
 * wildcard address becomes loopback, another address is refused with the
 * errno the private path's namespace (only lo) gives, a file name must
 * stay in the lab's directory, an abstract name gets the lab's prefix. */
static void host_address(struct session *session, enum call_id call, int type, struct sockaddr_storage *address,
			 socklen_t *length, struct refusal *refusal)
{
	char text[TEXT_ADDRESS_MAX];
	in_port_t *port = NULL;
	bool loopback = true;
	if (address->ss_family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)address;
		if (in->sin_addr.s_addr == htonl(INADDR_ANY))
			in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		/* bind() takes the broadcast address even for TCP (lesson 03),
		 * which can do nothing with it; a datagram socket would receive
		 * the network's broadcasts. */
		loopback = loopback4(in->sin_addr.s_addr)
			   || (call == CALL_BIND && type == SOCK_STREAM && in->sin_addr.s_addr == htonl(INADDR_BROADCAST));
		port = &in->sin_port;
	} else if (address->ss_family == AF_INET6) {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)address;
		uint32_t *mapped = &in6->sin6_addr.s6_addr32[3];   /* ::ffff:a.b.c.d's IPv4 part */
		if (IN6_IS_ADDR_UNSPECIFIED(&in6->sin6_addr))
			in6->sin6_addr = in6addr_loopback;
		else if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr) && *mapped == htonl(INADDR_ANY))
			*mapped = htonl(INADDR_LOOPBACK);
		loopback = IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr)
			   || (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr) && loopback4(*mapped));
		port = &in6->sin6_port;
	} else if (address->ss_family == AF_UNIX && *length > offsetof(struct sockaddr_un, sun_path)) {
		struct sockaddr_un *un = (struct sockaddr_un *)address;
		size_t size = *length - offsetof(struct sockaddr_un, sun_path);
		if (un->sun_path[0] == '\0')
			host_abstract(address, length, refusal);
		else
			refuse_name(refusal, un->sun_path, size);
		return;
	}
	if (!loopback) {
		text_address((const struct sockaddr *)address, *length, text, sizeof text);
		refuse(refusal, call == CALL_BIND ? EADDRNOTAVAIL : ENETUNREACH,
		       "the host path keeps the lab on loopback: %s is not a loopback address", text);
		return;
	}
	if (port && *port) {
		char *why = NULL;
		uint16_t mapped = map_port(session, ntohs(*port), &why);
		if (mapped)
			*port = htons(mapped);
		else
			refuse(refusal, EADDRNOTAVAIL, "%s", why ? why : "no free port on this host");
		free(why);
	}
}

/* The lesson's port as the host path maps it; the host part stays (an
 * expected address names what the kernel reports, 0.0.0.0 included). */
static void host_port(struct session *session, struct sockaddr_storage *address)
{
	in_port_t *port = address->ss_family == AF_INET ? &((struct sockaddr_in *)address)->sin_port
			  : address->ss_family == AF_INET6 ? &((struct sockaddr_in6 *)address)->sin6_port : NULL;
	uint16_t mapped = port && *port ? map_port(session, ntohs(*port), NULL) : 0;
	if (mapped)
		*port = htons(mapped);
}

/* ---- fds a side may name ------------------------------------------------ */

static void mark_produced(struct side *side, long fd)
{
	if (fd >= 0 && fd < MAX_PRODUCED)
		side->produced[fd / 64] |= (uint64_t)1 << (fd % 64);
}

static bool was_produced(const struct side *side, int fd)
{
	return fd >= 0 && fd < MAX_PRODUCED && (side->produced[fd / 64] >> (fd % 64)) & 1;
}

/* A puppet's call may name only fds this side's calls returned: its
 * process also holds 0-2 (/dev/null) and the lab's channel, which no
 * lesson may touch. The refusal reads like the kernel's EBADF. */
static void refuse_foreign_fds(const struct side *side, const struct puppet_request *request, struct refusal *refusal)
{
	for (int i = 0; i < request->fd_count && i < PUPPET_MAX_WATCHED; i++) {
		int fd = request->fds[i];
		if (fd >= 0 && !was_produced(side, fd))   /* a negative number reaches nothing */
			refuse(refusal, EBADF, "fd %d is not one of this side's sockets (no call of this side returned it)",
			       fd);
	}
}

/* ---- requests ------------------------------------------------------- */

/* The request for a call. On the host path its addresses and file names
 * are kept to loopback and the lab's directory; what cannot be kept there
 * is refused, with why in *refusal (which may be NULL: a program's call). */
static int build_request(struct session *session, const struct typed_call *call, struct puppet_request *request,
			 struct refusal *refusal, char **err)
{
	bool host = session->sandbox->kind == SANDBOX_HOST;
	struct side *side = &session->sides[call->side];
	int numbers = 0;
	memset(request, 0, offsetof(struct puppet_request, bytes));
	request->call = call->def->id;
	request->fd = -1;
	for (int a = 0; a < call->arg_count; a++) {
		const struct call_arg *arg = &call->args[a];
		switch (arg->kind) {
		case ARG_SOCKET: {
			int fd = (int)arg->number;
			if (arg->socket_name[0]) {
				const struct name_binding *binding = find_name(side, arg->socket_name);
				fd = binding ? binding->fd : -1;
			}
			if (request->fd_count == 0)
				request->fd = fd;
			if (request->fd_count < PUPPET_MAX_WATCHED)
				request->fds[request->fd_count++] = fd;
			break;
		}
		case ARG_ADDRESS:
			request->address = arg->address;
			request->address_len = arg->address_len;
			if (host) {
				const struct fd_kind *kind = find_kind(side, request->fd);
				host_address(session, call->def->id, kind ? kind->type : 0, &request->address,
					     &request->address_len, refusal);
			}
			break;
		case ARG_BYTES:
		case ARG_PATH:
			/* A path carries its NUL; bytes fill the buffer exactly. */
			if (arg->bytes_len + (arg->kind == ARG_PATH) > sizeof request->bytes)
				return text_error(err, "too many bytes for one call");
			memcpy(request->bytes, arg->bytes, arg->bytes_len);
			request->bytes_len = (uint32_t)arg->bytes_len;
			if (arg->kind == ARG_PATH)
				request->bytes[request->bytes_len++] = '\0';
			if (arg->kind == ARG_PATH && host)
				refuse_name(refusal, (const char *)request->bytes, request->bytes_len);
			break;
		default:
			if (numbers < 4)
				request->numbers[numbers++] = arg->number;
		}
	}
	/* What would bind a socket to the wildcard address binds it to loopback:
	 * listen(), sendto(), and connect(), whose port stays bound to the
	 * wildcard address even when it fails. */
	enum call_id id = call->def->id;
	request->loopback_first = host && (id == CALL_LISTEN || id == CALL_CONNECT || id == CALL_SENDTO);
	return 0;
}

/* ---- the probe's view, tied to sides ----------------------------------- */

static unsigned probe_mask(struct session *session)
{
	unsigned what = PROBE_SKIP_LISTEN;
	for (int s = 0; s < session->side_count; s++) {
		const struct side *side = &session->sides[s];
		if (side->observed && side->processes.fd_count > 0)   /* a traced program's sockets: any kind */
			what = (what | PROBE_TCP4 | PROBE_TCP6 | PROBE_UDP4 | PROBE_UDP6 | PROBE_UNIX | PROBE_BOUND_INACTIVE)
			       & ~(unsigned)PROBE_SKIP_LISTEN;
		for (int k = 0; k < side->kind_count; k++) {
			const struct fd_kind *kind = &side->kinds[k];
			bool stream = kind->type == SOCK_STREAM;
			if (kind->family == AF_UNSPEC)   /* a traced program's socket: kind unknown */
				what |= PROBE_TCP4 | PROBE_TCP6 | PROBE_UDP4 | PROBE_UDP6 | PROBE_UNIX;
			if (kind->listening || kind->family == AF_UNSPEC)
				what &= ~(unsigned)PROBE_SKIP_LISTEN;
			if (kind->family == AF_INET)
				what |= stream ? PROBE_TCP4 : PROBE_UDP4;
			else if (kind->family == AF_INET6)
				what |= stream ? PROBE_TCP6 : PROBE_UDP6;
			else if (kind->family == AF_UNIX)
				what |= PROBE_UNIX;
			if (kind->bound_only)
				what |= PROBE_BOUND_INACTIVE;
		}
	}
	/* Closed TCP sockets linger (TIME-WAIT): keep asking once asked. */
	return what | tie_remembered_kinds(session->tie);
}

/* Whether two endpoints are one: a v4-mapped IPv6 address
 * ("[::ffff:127.0.0.1]:80") is the IPv4 one the wire carries. */
static bool same_endpoint(const char *a, const char *b)
{
	static const char mapped[] = "[::ffff:";
	if (strcmp(a, b) == 0)
		return true;
	if (strncmp(a, mapped, sizeof mapped - 1) != 0 && strncmp(b, mapped, sizeof mapped - 1) != 0)
		return false;
	char plain_a[TEXT_ADDRESS_MAX], plain_b[TEXT_ADDRESS_MAX];
	const char *sides[2] = { a, b };
	char *plain[2] = { plain_a, plain_b };
	for (int i = 0; i < 2; i++) {
		const char *close = strchr(sides[i], ']');
		if (strncmp(sides[i], mapped, sizeof mapped - 1) == 0 && close && strchr(sides[i], '.'))
			snprintf(plain[i], TEXT_ADDRESS_MAX, "%.*s%s", (int)(close - sides[i] - (sizeof mapped - 1)),
				 sides[i] + sizeof mapped - 1, close + 1);
		else
			text_copy(plain[i], TEXT_ADDRESS_MAX, sides[i]);
	}
	return strcmp(plain_a, plain_b) == 0;
}

/* A socket an fd holds that is in no kernel table any more was reset
 * when an RST for one of its connections crossed the wire, or a call on
 * the fd returned the kernel's word for it; else it was closed. */
static enum socket_note gone_note(const struct session *session, uint32_t inode, int side, int fd)
{
	for (size_t i = session->event_count; i-- > 0;) {
		const struct lab_event *event = &session->events[i];
		if (event->side == side && event->fd_argument == fd && event->ret == -1
		    && (event->error == ECONNRESET || event->error == ECONNREFUSED))
			return NOTE_RESET;
		if (event->side == side && (event->call == CALL_SOCKET || event->call == CALL_ACCEPT) && event->ret == fd)
			break;
	}
	for (size_t m = 0; m < tie_remembered_count(session->tie); m++) {
		struct tie_remembered was = tie_remembered_at(session->tie, m);
		if (was.inode != inode || strcmp(was.peer, "*") == 0)
			continue;
		for (size_t i = 0; i < session->event_count; i++)
			for (size_t k = 0; k < session->events[i].packet_count; k++) {
				const struct wire_packet *packet = &session->events[i].packets[k];
				if (strstr(packet->flags, "RST")
				    && ((same_endpoint(was.local, packet->from) && same_endpoint(was.peer, packet->to))
					|| (same_endpoint(was.peer, packet->from) && same_endpoint(was.local, packet->to))))
					return NOTE_RESET;
			}
	}
	return NOTE_DROPPED;
}

/* The tie says an fd's socket left every table (NOTE_DROPPED); whether
 * it was reset is the wire's and the calls' to say. Again after new
 * packets: a gone socket's RST may have just arrived. */
static void mark_resets(struct session *session)
{
	for (size_t i = 0; i < session->snapshot.count; i++) {
		struct lab_socket *socket = &session->snapshot.sockets[i];
		if (socket->note == NOTE_DROPPED)
			socket->note = gone_note(session, socket->inode, socket->side, socket->fd);
	}
}

/* Every fd of every side, as the tie module reads them. */
static int collect_fds(struct session *session, char **err)
{
	size_t total = 0;
	for (int s = 0; s < session->side_count; s++)
		total += (size_t)session->sides[s].fd_count + session->sides[s].processes.fd_count;
	if (total > session->tie_fd_capacity) {
		struct tie_fd *fds = realloc(session->tie_fds, total * sizeof *fds);
		if (!fds)
			return text_error(err, "out of memory");
		session->tie_fds = fds;
		session->tie_fd_capacity = total;
	}
	session->tie_fd_count = 0;
	for (int s = 0; s < session->side_count; s++) {
		struct side *side = &session->sides[s];
		for (size_t i = 0; side->observed && i < side->processes.fd_count; i++) {
			const struct fdtable_fd *held = &side->processes.fds[i];
			session->tie_fds[session->tie_fd_count++] = (struct tie_fd){
				.side = s, .process = held->process, .fd = held->fd, .inode = held->inode,
				.name = fdtable_row_name(&side->processes, held->process),
				.family = AF_UNSPEC,
			};
		}
		for (int i = 0; i < side->fd_count; i++) {
			const struct fd_kind *kind = find_kind(side, side->fds[i].fd);
			session->tie_fds[session->tie_fd_count++] = (struct tie_fd){
				.side = s, .fd = side->fds[i].fd, .inode = side->fds[i].inode,
				.name = name_of_fd(side, side->fds[i].fd),
				.family = kind ? kind->family : AF_UNSPEC, .type = kind ? kind->type : 0,
			};
		}
	}
	return 0;
}

/* The inodes of the fds that calls since the last snapshot used or made:
 * where the kernel may list something new. */
static int collect_touched(struct session *session, size_t *count, char **err)
{
	if (session->events_probed > session->event_count)
		session->events_probed = 0;
	size_t needed = 2 * (session->event_count - session->events_probed);
	if (needed > session->touched_capacity) {
		uint32_t *grown = realloc(session->touched, needed * sizeof *grown);
		if (!grown)
			return text_error(err, "out of memory");
		session->touched = grown;
		session->touched_capacity = needed;
	}
	*count = 0;
	for (size_t e = session->events_probed; e < session->event_count; e++) {
		const struct lab_event *event = &session->events[e];
		long made = event->call == CALL_SOCKET || event->call == CALL_ACCEPT ? event->ret : -1;
		for (size_t i = 0; i < session->tie_fd_count; i++) {
			const struct tie_fd *fd = &session->tie_fds[i];
			if (fd->side == event->side && (fd->fd == event->fd_argument || fd->fd == made) && *count < needed)
				session->touched[(*count)++] = fd->inode;
		}
	}
	session->events_probed = session->event_count;
	return 0;
}

/* The kernel's view of the lab's sockets: a dump in the private
 * namespace, where the tables are the lab's alone; exact requests on the
 * host path (exact.h). */
static int read_kernel(struct session *session, unsigned what, char **err)
{
	if (session->sandbox->kind != SANDBOX_HOST)
		return probe_snapshot(session->probe, what, &session->raw, err);
	size_t touched_count = 0;
	if (collect_touched(session, &touched_count, err) < 0)
		return -1;
	struct exact_input input = {
		.what = what, .fds = session->tie_fds, .fd_count = session->tie_fd_count,
		.touched = session->touched, .touched_count = touched_count, .now_us = timed_now_us(),
	};
	bool dumped;
	size_t missed;
	if (exact_snapshot(session->exact, session->probe, &input, &session->raw, &dumped, &missed, err) < 0)
		return -1;
	if (missed)
		snprintf(session->probe_note, sizeof session->probe_note,
			 "the once-a-second dump found %zu socket%s of the lab that the exact requests missed", missed,
			 missed == 1 ? "" : "s");
	return 0;
}

static int take_snapshot(struct session *session, char **err)
{
	unsigned what = probe_mask(session);
	if (collect_fds(session, err) < 0)
		return -1;
	probe_snapshot_clear(&session->raw);
	if (what && read_kernel(session, what, err) < 0)
		return -1;
	struct tie_input input = {
		.raw = &session->raw,
		.fds = session->tie_fds,
		.fd_count = session->tie_fd_count,
		.baseline = &session->baseline,
		.host = session->sandbox->kind == SANDBOX_HOST,
	};
	struct lab_snapshot next;
	if (tie_snapshot(session->tie, &input, &next, err) < 0)
		return -1;
	timed_note(&session->timed, &next, session->steps_done + 1, timed_now_us());
	lab_snapshot_done(&session->snapshot);
	session->snapshot = next;
	mark_resets(session);
	return 0;
}

static int copy_snapshot(struct lab_snapshot *out, const struct lab_snapshot *in)
{
	out->count = in->count;
	out->sockets = malloc((in->count ? in->count : 1) * sizeof *out->sockets);
	if (!out->sockets)
		return -1;
	if (in->count)
		memcpy(out->sockets, in->sockets, in->count * sizeof *out->sockets);
	return 0;
}

/* ---- the wire ---------------------------------------------------- */

static int open_capture(struct session *session, char **err)
{
	if (!session->capturing)
		return 0;
	session->info.wire[0] = '\0';
	/* Only in the lab's own namespace: on the host, lo carries everybody's
	 * traffic, and whether it may be read depends on who runs the lab. */
	if (session->sandbox->kind != SANDBOX_NETNS) {
		snprintf(session->info.wire, sizeof session->info.wire,
			 "no packets: capture needs the lab's private network namespace");
		return 0;
	}
	char *why = NULL;
	if (capture_open(&session->capture, &why) < 0) {
		snprintf(session->info.wire, sizeof session->info.wire, "no packets: %s", why ? why : "capture failed");
		free(why);
		session->capture = NULL;
		return 0;
	}
	if (session->pcap && capture_set_file(session->capture, session->pcap, err) < 0)
		return -1;
	return 0;
}

/* Which side sent from `address`: the socket with that local address, or
 * one the lab remembers (a closed one in TIME-WAIT still sends ACKs). */
static int side_of_address(const struct session *session, int family, const char *address)
{
	for (size_t i = 0; i < session->snapshot.count; i++)
		if (session->snapshot.sockets[i].family == family && session->snapshot.sockets[i].side >= 0
		    && strcmp(session->snapshot.sockets[i].local, address) == 0
		    && session->snapshot.sockets[i].state != TCP_LISTEN)
			return session->snapshot.sockets[i].side;
	int remembered = tie_remembered_side(session->tie, family, address);
	if (remembered >= 0)
		return remembered;
	/* A listener's address answers for its queued children too. */
	for (size_t i = 0; i < session->snapshot.count; i++)
		if (session->snapshot.sockets[i].family == family && strcmp(session->snapshot.sockets[i].local, address) == 0)
			return session->snapshot.sockets[i].side;
	return -1;
}

/* Whether a listener on `local` takes segments for `to`: the same port,
 * and the same host or a wildcard one. */
static bool listener_covers(const char *local, const char *to)
{
	const char *port = strrchr(local, ':'), *to_port = strrchr(to, ':');
	if (!port || !to_port || strcmp(port, to_port) != 0)
		return false;
	return same_endpoint(local, to) || strncmp(local, "0.0.0.0:", 8) == 0 || strncmp(local, "[::]:", 5) == 0;
}

/* Which side's socket sent a segment from `from` to `to` (or, with
 * `receiving`, received it): the socket with that 4-tuple, now or
 * remembered (a closed one in TIME-WAIT still sends ACKs), a v4-mapped
 * socket matching the IPv4 the wire carries. Several sides may hold one
 * socket (after fork()): the side that made the call, if it is one. A
 * datagram socket without a peer by its address. A
 * SYN no connection came of (a full accept queue dropped it) went to
 * the listener of its family (an IPv6 one may refuse IPv4: IPV6_V6ONLY).
 * -1: no socket of the lab, the kernel itself (the RST to a SYN nobody
 * listens for). */
static int side_of_segment(const struct session *session, int event_side, const char *from, const char *to,
			   bool receiving)
{
	const char *local = receiving ? to : from, *peer = receiving ? from : to;
	int found = -1;
	for (size_t i = 0; i < session->snapshot.count; i++) {
		const struct lab_socket *socket = &session->snapshot.sockets[i];
		if (socket->side >= 0 && same_endpoint(socket->local, local) && same_endpoint(socket->peer, peer)) {
			if (socket->side == event_side)
				return event_side;
			if (found < 0)
				found = socket->side;
		}
	}
	if (found >= 0)
		return found;
	for (size_t i = tie_remembered_count(session->tie); i-- > 0;) {
		struct tie_remembered m = tie_remembered_at(session->tie, i);
		if (same_endpoint(m.local, local) && same_endpoint(m.peer, peer))
			return m.side;
	}
	/* A datagram socket with no peer sends and receives on its address alone. */
	for (size_t i = 0; i < session->snapshot.count; i++) {
		const struct lab_socket *socket = &session->snapshot.sockets[i];
		if (socket->side >= 0 && socket->type == SOCK_DGRAM && strcmp(socket->peer, "*") == 0
		    && listener_covers(socket->local, local) && socket->family == (local[0] == '[' ? AF_INET6 : AF_INET))
			return socket->side;
	}
	for (size_t i = tie_remembered_count(session->tie); i-- > 0;) {
		struct tie_remembered m = tie_remembered_at(session->tie, i);
		if (m.type == SOCK_DGRAM && strcmp(m.peer, "*") == 0 && same_endpoint(m.local, local))
			return m.side;
	}
	if (!receiving)
		return -1;
	for (size_t i = 0; i < session->snapshot.count; i++) {
		const struct lab_socket *socket = &session->snapshot.sockets[i];
		if (socket->side >= 0 && socket->state == TCP_LISTEN && socket->family == (to[0] == '[' ? AF_INET6 : AF_INET)
		    && listener_covers(socket->local, to))
			return socket->side;
	}
	return -1;
}

/* Takes what crossed lo since the last drain and gives it to `event`. */
static int drain_wire(struct session *session, struct lab_event *event, char **err)
{
	if (!session->capture)
		return 0;
	if (capture_drain(session->capture, &session->batch, err) < 0)
		return -1;
	if (session->batch.count == 0)
		return 0;
	struct wire_packet *grown = realloc(event->packets, (event->packet_count + session->batch.count) * sizeof *grown);
	if (!grown)
		return text_error(err, "out of memory");
	event->packets = grown;
	for (size_t i = 0; i < session->batch.count; i++) {
		const struct lab_packet *in = &session->batch.packets[i];
		struct wire_packet *out = &event->packets[event->packet_count++];
		memset(out, 0, sizeof *out);
		text_copy(out->from, sizeof out->from, in->source_text);
		text_copy(out->to, sizeof out->to, in->destination_text);
		out->from_side = side_of_segment(session, event->side, in->source_text, in->destination_text, false);
		out->to_side = side_of_segment(session, event->side, in->source_text, in->destination_text, true);
		/* A socket the kernel already dropped (a refused connect) is in no
		 * table: the call's own address argument still says whose it was. */
		if (event->target[0] && strcmp(in->destination_text, event->target) == 0 && out->from_side < 0)
			out->from_side = event->side;
		if (event->target[0] && strcmp(in->source_text, event->target) == 0 && out->to_side < 0)
			out->to_side = event->side;
		out->protocol = in->protocol;
		if (in->protocol == IPPROTO_TCP)
			text_copy(out->flags, sizeof out->flags, in->flags);
		out->seq = in->seq;
		out->ack = in->ack;
		out->window = in->window_bytes;
		out->length = in->payload_length;
		text_copy(out->payload, sizeof out->payload, in->payload);
		out->time_us = in->time_us;
	}
	mark_resets(session);
	return 0;
}

/* `wire: hold`: every TCP segment on lo waits in the kernel until a step
 * releases or drops it. Only in the lab's own namespace (never the
 * host's lo, which carries everybody's traffic). */
static int open_hold(struct session *session, char **err)
{
	if (!session->lesson->hold_segments)
		return 0;
	char *why = NULL;
	if (session->sandbox->kind != SANDBOX_NETNS) {
		snprintf(session->info.held, sizeof session->info.held,
			 "segments are not held: that needs the lab's private network namespace");
		return 0;
	}
	if (hold_open(&session->hold, &why) < 0) {
		snprintf(session->info.held, sizeof session->info.held, "segments are not held: %s", why ? why : "?");
		free(why);
		session->hold = NULL;
		return 0;
	}
	/* --hold on a lesson written for a free wire: its expectations do not apply. */
	session->info.unchecked = session->lesson->hold_forced;
	(void)err;
	return 0;
}

/* The held segments, as one line for the event. */
static void describe_held(struct session *session, struct lab_event *event)
{
	size_t at = 0;
	event->held[0] = '\0';
	for (size_t i = 0; session->hold && i < hold_count(session->hold); i++) {
		const struct held_segment *segment = hold_peek(session->hold, i);
		int from = side_of_segment(session, -1, segment->source_text, segment->destination_text, false);
		int to = side_of_segment(session, -1, segment->source_text, segment->destination_text, true);
		/* "resent": the sender's retransmission timer fired (after a drop). */
		if (text_append(event->held, sizeof event->held, &at, "%s%s -> %s %s seq %u ack %u len %u%s",
				at ? "; " : "", from >= 0 ? session->info.sides[from] : "?",
				to >= 0 ? session->info.sides[to] : "?", segment->flags, segment->seq, segment->ack,
				segment->payload_length, segment->retransmission ? " resent" : "") < 0)
			break;
	}
}

static const char *held_sender(void *context, const struct held_segment *segment)
{
	struct session *session = context;
	int side = side_of_address(session, segment->family, segment->source_text);
	return side >= 0 ? session->info.sides[side] : NULL;
}

/* The copies of held segments the kernel's timers sent since the last
 * look: said in the event, duplicates of what went through dropped. */
static int tidy_resends(struct session *session, struct lab_event *event, char **err)
{
	if (!session->hold)
		return 0;
	return resend_tidy(&session->resend, session->hold, !session->lesson->hold_forced, held_sender, session,
			   event->resent, sizeof event->resent, err) < 0 ? -1 : 0;
}

/* The oldest held segment `side` sent, waiting up to 3 s for one: a
 * delayed ACK comes ~40 ms late, a resent SYN after the RTO (~1 s).
 * Copies of segments already let through are dropped first (resend.h). */
static int find_held(struct session *session, int side, struct lab_event *event, size_t *index, char **err)
{
	struct timespec start, now;
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		if (hold_collect(session->hold, err) < 0 || tidy_resends(session, event, err) < 0)
			return -1;
		for (size_t i = 0; i < hold_count(session->hold); i++) {
			const struct held_segment *segment = hold_peek(session->hold, i);
			if (side_of_address(session, segment->family, segment->source_text) == side) {
				*index = i;
				return 1;
			}
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		long left_ms = 3000 - ((now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000);
		if (left_ms <= 0 || (session->interrupt && *session->interrupt))
			return 0;
		if (hold_wait(session->hold, (int)left_ms, err) < 0)
			return -1;
	}
}

int session_capture(struct session *session, const char *pcap_path, char **err)
{
	session->capturing = true;
	if (pcap_path && !session->pcap && capture_file_open(&session->pcap, pcap_path, err) < 0)
		return -1;
	if (!session->capture)
		return open_capture(session, err);
	return session->pcap ? capture_set_file(session->capture, session->pcap, err) : 0;
}

/* ---- events and expectations ------------------------------------------- */

static struct lab_event *append_event(struct session *session, enum event_kind kind, int side,
				      const struct typed_call *call)
{
	if (session->event_count == session->event_capacity) {
		size_t capacity = session->event_capacity ? session->event_capacity * 2 : 32;
		struct lab_event *grown = realloc(session->events, capacity * sizeof *grown);
		if (!grown)
			return NULL;
		session->events = grown;
		session->event_capacity = capacity;
	}
	struct lab_event *event = &session->events[session->event_count];
	memset(event, 0, sizeof *event);
	event->text = strdup(call->text);
	if (!event->text)
		return NULL;
	session->event_count++;
	event->seq = session->event_count;
	event->step = session->steps_done + 1;
	event->fd_argument = -1;
	event->kind = kind;
	event->side = side;
	event->call = call->def->id;
	return event;
}

static int add_failure(struct lab_event *event, const char *format, ...) __attribute__((format(printf, 2, 3)));
static int add_failure(struct lab_event *event, const char *format, ...)
{
	char **grown = realloc(event->failures, (event->failure_count + 1) * sizeof *grown);
	if (!grown)
		return -1;
	event->failures = grown;
	va_list args;
	va_start(args, format);
	int ok = vasprintf(&event->failures[event->failure_count], format, args);
	va_end(args);
	if (ok < 0)
		return -1;
	event->failure_count++;
	return 0;
}

/* An expectation a kernel timer explains: said, not counted as failed. */
static int add_timer_ended(struct lab_event *event, const char *text)
{
	char **grown = realloc(event->timers_ended, (event->timer_ended_count + 1) * sizeof *grown);
	if (!grown)
		return -1;
	event->timers_ended = grown;
	event->timers_ended[event->timer_ended_count] = strdup(text);
	if (!event->timers_ended[event->timer_ended_count])
		return -1;
	event->timer_ended_count++;
	return 0;
}

/* Fills an event from a reply and updates the side's names and kinds. */
static void record_arguments(struct lab_event *event, const struct typed_call *call,
			     const struct puppet_request *request)
{
	event->fd_argument = -1;
	for (int a = 0; a < call->arg_count; a++) {
		if (call->args[a].kind == ARG_SOCKET)
			event->fd_argument = request->fd;
		else if (call->args[a].kind == ARG_ADDRESS)
			text_address((const struct sockaddr *)&request->address, request->address_len, event->target,
				     sizeof event->target);
	}
}

static void record_reply(struct session *session, struct side *side, const struct typed_call *call,
			 const struct puppet_request *request, const struct puppet_reply *reply, struct lab_event *event)
{
	event->ret = reply->ret;
	event->error = reply->error;
	event->elapsed_ns = reply->elapsed_ns;
	if (reply->bytes_len) {
		event->bytes = malloc(reply->bytes_len);
		if (event->bytes) {
			memcpy(event->bytes, reply->bytes, reply->bytes_len);
			event->bytes_len = reply->bytes_len;
		}
	}
	if (reply->address_len)
		text_address((const struct sockaddr *)&reply->address, reply->address_len, event->address,
			     sizeof event->address);
	size_t at = 0;
	event->ready[0] = '\0';
	for (int i = 0; i < reply->ready_count; i++) {
		const char *name = name_of_fd(side, reply->ready_fd[i]);
		text_append(event->ready, sizeof event->ready, &at, "%s", i ? ", " : "");
		if (name[0])
			text_append(event->ready, sizeof event->ready, &at, "%s", name);
		else
			text_append(event->ready, sizeof event->ready, &at, "fd %d", reply->ready_fd[i]);
		const char *separator = " ";
		for (size_t b = 0; b < catalog_readiness_count; b++)
			if (reply->ready_events[i] & catalog_readiness[b].bit) {
				text_append(event->ready, sizeof event->ready, &at, "%s%s", separator,
					    catalog_readiness[b].name);
				separator = "|";
			}
	}
	if (call->def->result == RESULT_VALUE && reply->ret >= 0) {
		event->has_value = true;
		event->value = call->def->id == CALL_FCNTL ? reply->ret : reply->value;
	}
	if (reply->ret < 0)
		return;
	struct fd_kind *kind = find_kind(side, request->fd);
	switch (call->def->id) {
	case CALL_SOCKET:
		set_kind(side, (int)reply->ret, (int)request->numbers[0], (int)request->numbers[1]);
		keep_fd(side, (int)reply->ret, (uint32_t)reply->inode);
		mark_produced(side, reply->ret);
		break;
	case CALL_ACCEPT:
		if (kind)
			set_kind(side, (int)reply->ret, kind->family, kind->type);
		keep_fd(side, (int)reply->ret, (uint32_t)reply->inode);
		mark_produced(side, reply->ret);
		break;
	case CALL_EPOLL_CREATE:
		mark_produced(side, reply->ret);
		break;
	case CALL_BIND:
		if (kind && kind->type == SOCK_STREAM && kind->family != AF_UNIX)
			kind->bound_only = true;
		break;
	case CALL_LISTEN:
	case CALL_CONNECT:
		if (kind) {
			kind->bound_only = false;
			kind->listening |= call->def->id == CALL_LISTEN;
		}
		break;
	case CALL_SHUTDOWN:
		/* A listener shut down stops listening but keeps its address. */
		if (kind && kind->listening) {
			kind->listening = false;
			kind->bound_only = true;
		}
		break;
	case CALL_CLOSE:
		drop_kind(side, request->fd);
		release_fd(side, request->fd);
		for (int i = 0; i < side->name_count; i++)
			if (side->names[i].fd == request->fd)
				side->names[i].closed = true;
		break;
	default:
		break;
	}
	if (call->result_name[0] && call->def->names_result)
		bind_name(side, call->result_name, (int)reply->ret);
	(void)session;
}

static void describe_result(const struct lab_event *event, char *out, size_t size)
{
	if (!event) {
		snprintf(out, size, "no result");
	} else if (event->kind == EVENT_BLOCKED) {
		snprintf(out, size, "the call blocked");
	} else if (event->kind == EVENT_NOT_RUN) {
		snprintf(out, size, "the call was not made");
	} else if (event->ret == -1) {
		const char *name = catalog_errno_name(event->error);
		snprintf(out, size, "-1 %s (%s)", name ? name : "?", strerror(event->error));
	} else if (event->bytes_len || catalog_calls[event->call].result == RESULT_RECEIVED) {
		char escaped[96];
		text_escape(event->bytes, event->bytes_len, escaped, sizeof escaped);
		snprintf(out, size, "%ld \"%s\"", event->ret, escaped);
	} else if (event->ready[0]) {
		snprintf(out, size, "%ld, ready \"%.160s\"", event->ret, event->ready);
	} else if (event->has_value) {
		snprintf(out, size, "%ld, value %ld", event->ret, event->value);
	} else if (event->address[0]) {
		snprintf(out, size, "%ld, from %s", event->ret, event->address);
	} else {
		snprintf(out, size, "%ld", event->ret);
	}
}

static bool value_met(const struct expectation *e, const struct lab_event *event, const char *expected_address)
{
	if (!event)
		return false;
	bool returned = event->kind == EVENT_RETURNED || event->kind == EVENT_WOKE;
	switch (e->kind) {
	case EXPECT_FD:
		return returned && event->ret >= 0;
	case EXPECT_BLOCKS:
		return event->kind == EVENT_BLOCKED;
	case EXPECT_RETURN:
		return returned && event->ret == e->value;
	case EXPECT_ERROR:
		return returned && event->ret == -1 && event->error == e->error;
	case EXPECT_BYTES:
		return returned && event->bytes_len == e->bytes_len && memcmp(event->bytes, e->bytes, e->bytes_len) == 0;
	case EXPECT_VALUE:
		return returned && event->has_value && event->value == e->value;
	case EXPECT_ADDRESS:
		return returned && strcmp(event->address, expected_address) == 0;
	case EXPECT_READY:
		return returned && strlen(event->ready) == e->bytes_len && memcmp(event->ready, e->bytes, e->bytes_len) == 0;
	default:
		return true;
	}
}

static void describe_expected(const struct lesson *lesson, const struct expectation *e, char *out, size_t size)
{
	char escaped[96];
	switch (e->kind) {
	case EXPECT_FD: snprintf(out, size, "a file descriptor"); break;
	case EXPECT_BLOCKS: snprintf(out, size, "the call to block"); break;
	case EXPECT_RETURN: snprintf(out, size, "%ld", e->value); break;
	case EXPECT_ERROR: snprintf(out, size, "-1 %s", catalog_errno_name(e->error)); break;
	case EXPECT_BYTES:
		text_escape(e->bytes, e->bytes_len, escaped, sizeof escaped);
		snprintf(out, size, "\"%s\"", escaped);
		break;
	case EXPECT_VALUE:
		snprintf(out, size, "value %ld", e->value);
		break;
	case EXPECT_ADDRESS:
		text_address((const struct sockaddr *)&e->address, e->address_len, escaped, sizeof escaped);
		snprintf(out, size, "from %s", escaped);
		break;
	case EXPECT_READY:
		text_escape(e->bytes, e->bytes_len, escaped, sizeof escaped);
		snprintf(out, size, "ready \"%s\"", escaped);
		break;
	case EXPECT_STATE: {
		const char *state = e->state ? probe_state_name(e->state, SOCK_STREAM) : "gone";
		snprintf(out, size, "%s %s %s", lesson->sides[e->side],
			 e->ref == REF_ACCEPT_QUEUE ? "(accept queue)" : e->ref == REF_HANDSHAKE ? "(handshake)" : e->socket_name,
			 state);
		break;
	}
	}
}

static bool socket_matches(const struct expectation *e, const struct lab_socket *socket)
{
	if (socket->side != e->side)
		return false;
	if (e->ref == REF_ACCEPT_QUEUE)
		return socket->note == NOTE_ACCEPT_QUEUE;
	if (e->ref == REF_HANDSHAKE)
		return socket->note == NOTE_HANDSHAKE;
	return strcmp(socket->name, e->socket_name) == 0;
}

/* A step that woke a blocked call is seen twice: right after the call
 * (the sleeper held still) and after the woken call returned. `expect:`
 * lines speak of the first, `then:` lines and `SIDE returns` of the second. */
enum phase { PHASE_ALL, PHASE_CALL, PHASE_AFTER_WAKE };

/* Whether the snapshot meets a state expectation; if not and `event` is
 * given, says what the kernel has instead. */
static bool check_state(struct session *session, const struct lesson_step *step, const struct expectation *e,
			struct lab_event *event)
{
	const struct lab_snapshot *snapshot = &session->snapshot;
	char expected[160], says[256] = "";
	size_t says_len = 0;
	bool any = false;
	for (size_t i = 0; i < snapshot->count; i++) {
		const struct lab_socket *socket = &snapshot->sockets[i];
		if (!socket_matches(e, socket))
			continue;
		any = true;
		bool state_ok = e->state != 0 && socket->state == e->state;
		bool rq_ok = e->recv_queue < 0 || socket->recv_queue == (uint32_t)e->recv_queue;
		bool wq_ok = e->send_queue < 0 || socket->send_queue == (uint32_t)e->send_queue;
		if (state_ok && rq_ok && wq_ok)
			return true;
		/* Say the queues only when the expectation was about them. */
		bool queues = e->recv_queue >= 0 || e->send_queue >= 0;
		text_append(says, sizeof says, &says_len, queues ? "%s%s rq %u wq %u" : "%s%s", says_len ? "; " : "",
			    socket->state ? session_state_text(socket) : "no address yet", socket->recv_queue,
			    socket->send_queue);
	}
	if (!any && e->state == 0)
		return true;
	if (!event)
		return false;
	describe_expected(session->lesson, e, expected, sizeof expected);
	char ended[320];
	if (e->unless_timer && e->ref == REF_NAME
	    && timed_explain(&session->timed, snapshot, e->side, e->socket_name, timed_now_us(), ended, sizeof ended)) {
		char said[512];
		snprintf(said, sizeof said, "%s: %s", expected, ended);
		add_timer_ended(event, said);
		return true;
	}
	char queues[48] = "";
	if (e->recv_queue >= 0 || e->send_queue >= 0)
		snprintf(queues, sizeof queues, "%s%.0ld%s%.0ld", e->recv_queue >= 0 ? " rq " : "",
			 e->recv_queue >= 0 ? e->recv_queue : 0L, e->send_queue >= 0 ? " wq " : "",
			 e->send_queue >= 0 ? e->send_queue : 0L);
	add_failure(event, "%s:%d: expected %s%s%s, kernel says %s", session->lesson->path, step->line, expected,
		    queues, e->within_ms ? " (waited for it)" : "", any ? says : "there is no such socket");
	return false;
}

/* Some states follow a kernel timer, not the call: a delayed ACK turns
 * FIN-WAIT-1 into FIN-WAIT-2 up to 40 ms after close(). An expectation
 * `... within N ms` re-reads the kernel every millisecond until it holds,
 * or N ms have passed; the step's snapshot is the last one read. */
static bool in_phase(const struct expectation *e, enum phase phase)
{
	bool after = e->after_wake || e->woken_side >= 0;
	return phase == PHASE_ALL || (phase == PHASE_AFTER_WAKE) == after;
}

static int collect_woken(struct session *session, int except_side, char **err);

/* Has a woken call of `side` returned during this step (since `first`)? */
static bool woke_since(const struct session *session, size_t first, int side)
{
	for (size_t i = first; i < session->event_count; i++)
		if (session->events[i].kind == EVENT_WOKE && session->events[i].side == side)
			return true;
	return false;
}

static int settle(struct session *session, const struct lesson_step *step, enum phase phase, size_t first_event,
		  char **err)
{
	long longest = 0;
	for (size_t k = 0; k < step->expect_count; k++)
		if (step->expects[k].within_ms > longest && in_phase(&step->expects[k], phase))
			longest = step->expects[k].within_ms;
	struct timespec start, now;
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		bool met = true;
		for (size_t k = 0; k < step->expect_count && met; k++) {
			const struct expectation *e = &step->expects[k];
			if (!e->within_ms || !in_phase(e, phase))
				continue;
			if (e->kind == EXPECT_STATE)
				met = check_state(session, step, e, NULL);
			else if (e->woken_side >= 0)
				met = woke_since(session, first_event, e->woken_side);
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		long elapsed_ms = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
		if (met || elapsed_ms >= longest || (session->interrupt && *session->interrupt))
			return 0;
		struct timespec tick = { .tv_nsec = 1000000 };
		nanosleep(&tick, NULL);
		/* A timer may wake a blocked call meanwhile (a resent SYN lets a
		 * connect() finish): it returned during this step. Frozen sides
		 * (the call phase) wait for their turn. */
		if (phase != PHASE_CALL && collect_woken(session, step->call.side, err) < 0)
			return -1;
		if (take_snapshot(session, err) < 0)
			return -1;
	}
}

/* Compares the step's expectations with what the kernel did. */
static void check_step(struct session *session, const struct lesson_step *step, struct lab_event *call_event,
		       size_t first_event, enum phase phase)
{
	if (session->info.unchecked)
		return;   /* written for a free wire, run with --hold: its expectations do not apply */
	size_t failures_before = call_event->failure_count;
	for (size_t k = 0; k < step->expect_count; k++) {
		const struct expectation *e = &step->expects[k];
		if (!in_phase(e, phase))
			continue;
		if (e->kind == EXPECT_STATE) {
			check_state(session, step, e, call_event);
			continue;
		}
		const struct lab_event *event = call_event;
		if (e->woken_side >= 0) {
			event = NULL;
			for (size_t i = first_event; i < session->event_count; i++)
				if (session->events[i].kind == EVENT_WOKE && session->events[i].side == e->woken_side)
					event = &session->events[i];
		}
		/* The address the kernel would show: on the host path, the lesson's
		 * port is the mapped one. */
		char expected_address[TEXT_ADDRESS_MAX] = "";
		if (e->kind == EXPECT_ADDRESS) {
			struct sockaddr_storage address = e->address;
			if (session->sandbox->kind == SANDBOX_HOST)
				host_port(session, &address);
			text_address((const struct sockaddr *)&address, e->address_len, expected_address,
				     sizeof expected_address);
		}
		if (value_met(e, event, expected_address))
			continue;
		char expected[160], got[200];
		describe_expected(session->lesson, e, expected, sizeof expected);
		if (e->woken_side >= 0 && !event)
			snprintf(got, sizeof got, "%s's call is still blocked", session->lesson->sides[e->woken_side]);
		else
			describe_result(event, got, sizeof got);
		add_failure(call_event, "%s:%d: expected %s%s%s, kernel says %s", session->lesson->path, step->line,
			    e->woken_side >= 0 ? session->lesson->sides[e->woken_side] : "",
			    e->woken_side >= 0 ? " returns " : "", expected, got);
	}
	session->failure_count += call_event->failure_count - failures_before;
}

/* ---- steps ------------------------------------------------------------ */

/* Sides whose blocked call the kernel has woken during this step. */
static void reply_from_program(const struct tracer_event *returned, struct puppet_reply *reply);

/* Whether side `s`'s blocked call has returned; if so, its WOKE event. */
static int collect_woken_side(struct session *session, int s, char **err)
{
	struct side *side = &session->sides[s];
	if (side->is_program) {
		int status = program_check_woken(&side->program, PROGRAM_TIMEOUT_MS, err);
		if (status < 0)
			return -1;
		if (status == PROGRAM_BLOCKED)
			return 0;
		side->blocked = false;
		if (status != PROGRAM_RETURNED)
			return 0;   /* over: its next step says so */
		reply_from_program(side->program.returned, &session->reply);
	} else {
		enum puppet_status status = puppet_check_woken(&side->puppet, &session->reply, err);
		if (status == PUPPET_DEAD)
			return -1;
		if (status != PUPPET_IDLE)
			return 0;
		side->blocked = false;
	}
	const struct typed_call *call = &session->lesson->steps[side->blocked_step].call;
	struct lab_event *event = append_event(session, EVENT_WOKE, s, call);
	if (!event)
		return text_error(err, "out of memory");
	record_arguments(event, call, &side->request);
	record_reply(session, side, call, &side->request, &session->reply, event);
	return 0;
}

static int collect_woken(struct session *session, int except_side, char **err)
{
	for (int s = 0; s < session->side_count; s++)
		if (s != except_side && session->sides[s].blocked && collect_woken_side(session, s, err) < 0)
			return -1;
	return 0;
}

static int copy_snapshot_to(struct session *session, size_t first, size_t end, char **err)
{
	for (size_t i = first; i < end; i++) {
		lab_snapshot_done(&session->events[i].snapshot);
		if (copy_snapshot(&session->events[i].snapshot, &session->snapshot) < 0)
			return text_error(err, "out of memory");
	}
	if (end > first && session->probe_note[0]) {
		text_copy(session->events[end - 1].probe_note, sizeof session->events[end - 1].probe_note,
			  session->probe_note);
		session->probe_note[0] = '\0';
	}
	return 0;
}

/* fork(): the side's process copies itself; the copy becomes the side the
 * call names, holding the same fds under the same names. Two events: the
 * parent's (the child's pid) and the child's (0). */
static int run_fork(struct session *session, const struct lesson_step *step, char **err)
{
	const struct typed_call *call = &step->call;
	struct side *parent = &session->sides[call->side];
	int target = (int)call->args[0].number;
	struct side *child = &session->sides[target];
	struct lab_event *event;
	if (child->puppet.pid > 0) {
		event = append_event(session, EVENT_NOT_RUN, call->side, call);
		if (!event)
			return text_error(err, "out of memory");
		add_failure(event, "%s:%d: %s exists already: fork() makes a new process", session->lesson->path, step->line,
			    session->lesson->sides[target]);
		session->failure_count++;
		return 0;
	}
	int pair[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0)
		return text_error(err, "socketpair: %s", strerror(errno));
	int size = 2 * (int)sizeof(struct puppet_reply);
	setsockopt(pair[0], SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
	setsockopt(pair[1], SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
	memset(&parent->request, 0, offsetof(struct puppet_request, bytes));
	parent->request.call = CALL_FORK;
	parent->request.fd = -1;
	int sent = puppet_send_with_fd(&parent->puppet, &parent->request, pair[1], err);
	close(pair[1]);
	if (sent < 0) {
		close(pair[0]);
		return -1;
	}
	if (puppet_wait(&parent->puppet, &session->reply, err) != PUPPET_IDLE) {
		close(pair[0]);
		return -1;
	}
	event = append_event(session, EVENT_RETURNED, call->side, call);
	if (!event) {
		close(pair[0]);
		return text_error(err, "out of memory");
	}
	record_arguments(event, call, &parent->request);
	event->ret = session->reply.ret;
	event->error = session->reply.error;
	if (session->reply.ret <= 0) {
		close(pair[0]);
		return 0;
	}
	puppet_adopt(&child->puppet, (pid_t)session->reply.ret, pair[0]);
	if (puppet_wait(&child->puppet, &session->reply, err) != PUPPET_IDLE)
		return -1;
	/* The child's fd table is a copy of the parent's. */
	memcpy(child->names, parent->names, sizeof child->names);
	child->name_count = parent->name_count;
	child->fd_count = child->kind_count = 0;
	for (int i = 0; i < parent->fd_count; i++)
		keep_fd(child, parent->fds[i].fd, parent->fds[i].inode);
	for (int i = 0; i < parent->kind_count; i++)
		set_kind(child, parent->kinds[i].fd, parent->kinds[i].family, parent->kinds[i].type);
	memcpy(child->produced, parent->produced, sizeof child->produced);
	event = append_event(session, EVENT_RETURNED, target, call);
	if (!event)
		return text_error(err, "out of memory");
	event->fd_argument = -1;
	event->ret = session->reply.ret;
	return 0;
}

/* Runs the step's call on its side's puppet and appends its event. */
/* The call's event: asleep in the kernel, or returned with session->reply. */
static int record_outcome(struct session *session, struct side *side, const struct typed_call *call, bool blocked,
			  char **err)
{
	struct lab_event *event = append_event(session, blocked ? EVENT_BLOCKED : EVENT_RETURNED, call->side, call);
	if (!event)
		return text_error(err, "out of memory");
	record_arguments(event, call, &side->request);
	if (blocked) {
		side->blocked = true;
		side->blocked_step = session->steps_done;
	} else {
		record_reply(session, side, call, &side->request, &session->reply, event);
	}
	return 0;
}

/* ---- a program as a side (program.h) ----------------------------------- */

/* Programs run only in the private namespace: on the host, the tutorial's
 * server would take the machine's port 65432, which a lesson cannot map. */
static bool programs_here(const struct session *session)
{
	return session->sandbox->kind == SANDBOX_NETNS;
}


/* The calls a lesson may write for what a program's kernel call is: Python's
 * sendall() is sendto(), its recv() recvfrom(), a C program's write() on a
 * socket is send(). */
static int call_family(enum call_id id)
{
	switch (id) {
	case CALL_SEND:
	case CALL_SENDALL:
	case CALL_SENDTO:
		return CALL_SEND;
	case CALL_RECV:
	case CALL_RECVFROM:
		return CALL_RECV;
	default:
		return (int)id;
	}
}

/* A puppet's reply, from what the tracer saw the program's call return. */
static void reply_from_program(const struct tracer_event *returned, struct puppet_reply *reply)
{
	memset(reply, 0, offsetof(struct puppet_reply, bytes));
	reply->ret = returned->ret;
	reply->error = returned->error;
	reply->elapsed_ns = returned->elapsed_ns;
	reply->inode = returned->result_inode;
	if (returned->address[0])
		reply->address_len = address_parse(returned->address, strlen(returned->address), &reply->address);
	bool received = returned->call == CALL_RECV || returned->call == CALL_RECVFROM;
	if (received && returned->ret > 0) {
		size_t len = returned->bytes_len < sizeof reply->bytes ? returned->bytes_len : sizeof reply->bytes;
		memcpy(reply->bytes, returned->bytes, len);
		reply->bytes_len = (uint32_t)len;
	}
}

static struct lab_event *program_not_run(struct session *session, const struct lesson_step *step, const char *format,
					 ...) __attribute__((format(printf, 3, 4)));
static struct lab_event *program_not_run(struct session *session, const struct lesson_step *step, const char *format,
					 ...)
{
	struct lab_event *event = append_event(session, EVENT_NOT_RUN, step->call.side, &step->call);
	if (!event)
		return NULL;
	char why[600];
	va_list args;
	va_start(args, format);
	vsnprintf(why, sizeof why, format, args);
	va_end(args);
	add_failure(event, "%s:%d: %s", session->lesson->path, step->line, why);
	session->failure_count++;
	return event;
}

/* The side's program makes its next socket call, which must be the step's. */
static int run_program_call(struct session *session, const struct lesson_step *step, char **err)
{
	const struct typed_call *call = &step->call;
	struct side *side = &session->sides[call->side];
	struct program *program = &side->program;
	const char *name = session->lesson->sides[call->side];
	if (build_request(session, call, &side->request, NULL, err) < 0)
		return -1;
	int status = program_next_call(program, PROGRAM_TIMEOUT_MS, err);
	if (status < 0)
		return -1;
	if (status == PROGRAM_OVER)
		return program_not_run(session, step, "%s's program has ended (%s): it makes no more calls", name,
				       program->message) ? 0 : text_error(err, "out of memory");
	if (status == PROGRAM_ASLEEP)
		return program_not_run(session, step, "%s's program sleeps outside its socket calls (%s)", name,
				       program->message) ? 0 : text_error(err, "out of memory");
	const struct tracer_event *held = program->call;
	bool same = held->call >= 0 && call_family((enum call_id)held->call) == call_family(call->def->id)
		    && (side->request.fd < 0 || held->fd < 0 || held->fd == side->request.fd);
	if (!same)
		return program_not_run(session, step, "%s's program makes %s here, not %s%s%s%s", name, held->text,
				       call->text, held->line[0] ? " (" : "", held->line, held->line[0] ? ")" : "")
			       ? 0 : text_error(err, "out of memory");
	status = program_run_call(program, PROGRAM_TIMEOUT_MS, err);
	if (status < 0)
		return -1;
	if (status == PROGRAM_OVER)
		return program_not_run(session, step, "%s's program died in the call (%s)", name, program->message)
			       ? 0 : text_error(err, "out of memory");
	if (status == PROGRAM_RETURNED)
		reply_from_program(program->returned, &session->reply);
	return record_outcome(session, side, call, status == PROGRAM_BLOCKED, err);
}

static int run_call(struct session *session, const struct lesson_step *step, char **err)
{
	const struct typed_call *call = &step->call;
	struct side *side = &session->sides[call->side];
	struct lab_event *event;
	/* A lesson about held segments means nothing where none can be held. */
	bool held_lesson = session->lesson->hold_segments && !session->lesson->hold_forced;
	if ((step->needs_private_netns && session->sandbox->kind != SANDBOX_NETNS) || (held_lesson && !session->hold)) {
		event = append_event(session, EVENT_SKIPPED, call->side, call);
		return event ? 0 : text_error(err, "out of memory");
	}
	if (call->def->wire) {
		event = append_event(session, EVENT_RETURNED, call->side, call);
		if (!event)
			return text_error(err, "out of memory");
		record_arguments(event, call, &side->request);
		size_t index;
		int found = find_held(session, call->side, event, &index, err);
		if (found < 0)
			return -1;
		if (!found) {
			event->ret = -1;
			add_failure(event, "%s:%d: %s sent nothing that is held (waited 3 s)", session->lesson->path, step->line,
				    session->lesson->sides[call->side]);
			session->failure_count++;
			return 0;
		}
		if ((call->def->id == CALL_RELEASE ? resend_release_at(&session->resend, session->hold, index, true, err)
						   : resend_drop_at(&session->resend, session->hold, index, err)) < 0)
			return -1;
		return 0;
	}
	if (side->blocked) {
		event = append_event(session, EVENT_NOT_RUN, call->side, call);
		if (!event)
			return text_error(err, "out of memory");
		add_failure(event, "%s:%d: %s is still blocked in %s: step another side first", session->lesson->path,
			    step->line, session->lesson->sides[call->side], session->lesson->steps[side->blocked_step].call.text);
		session->failure_count++;
		return 0;
	}
	if (side->is_program) {
		if (!programs_here(session)) {
			/* The program would run on the host's own ports. */
			event = append_event(session, EVENT_SKIPPED, call->side, call);
			return event ? 0 : text_error(err, "out of memory");
		}
		return run_program_call(session, step, err);
	}
	if (side->puppet.pid <= 0) {
		event = append_event(session, EVENT_NOT_RUN, call->side, call);
		if (!event)
			return text_error(err, "out of memory");
		add_failure(event, "%s:%d: %s does not exist yet: a fork() step makes it", session->lesson->path, step->line,
			    session->lesson->sides[call->side]);
		session->failure_count++;
		return 0;
	}
	if (call->def->id == CALL_FORK)
		return run_fork(session, step, err);
	struct refusal refusal = { 0 };
	if (build_request(session, call, &side->request, &refusal, err) < 0)
		return -1;
	refuse_foreign_fds(side, &side->request, &refusal);
	if (refusal.error) {
		event = append_event(session, EVENT_RETURNED, call->side, call);
		if (!event)
			return text_error(err, "out of memory");
		record_arguments(event, call, &side->request);
		event->ret = -1;
		event->error = refusal.error;
		text_copy(event->refusal, sizeof event->refusal, refusal.why);
		return 0;
	}
	if (puppet_send(&side->puppet, &side->request, err) < 0)
		return -1;
	enum puppet_status status = puppet_wait(&side->puppet, &session->reply, err);
	if (status == PUPPET_DEAD)
		return -1;
	return record_outcome(session, side, call, status == PUPPET_BLOCKED, err);
}

static int set_baseline(struct session *session, char **err)
{
	lab_snapshot_done(&session->baseline);
	if (copy_snapshot(&session->baseline, &session->snapshot) < 0)
		return text_error(err, "out of memory");
	return 0;
}

int session_step(struct session *session, char **err)
{
	const struct lesson *lesson = session->lesson;
	session->info.step_count = lesson->step_count;   /* free play adds steps as it goes */
	if (session->steps_done >= lesson->step_count)
		return 1;
	const struct lesson_step *step = &lesson->steps[session->steps_done];
	int stepping = step->call.side;
	size_t first_event = session->event_count;
	bool frozen[LESSON_MAX_SIDES] = { false }, any_frozen = false;
	if (set_baseline(session, err) < 0)
		return -1;
	for (int s = 0; s < session->side_count && step->call.def->may_wake; s++) {
		if (s == stepping || !session->sides[s].blocked)
			continue;
		if (session->sides[s].is_program ? program_freeze(&session->sides[s].program, err) < 0
						 : puppet_freeze(&session->sides[s].puppet, err) < 0)
			return -1;
		frozen[s] = any_frozen = true;
	}
	int result = run_call(session, step, err);
	size_t call_index = first_event;
	/* A program side the call woke though not frozen (its call cannot wake
	 * others: a kernel timer did) comes back before the kernel is read. */
	for (int s = 0; s < session->side_count && result == 0 && !any_frozen; s++)
		if (s != stepping && session->sides[s].is_program && session->sides[s].blocked
		    && collect_woken_side(session, s, err) < 0)
			result = -1;
	/* What the call sent, or what the released segment caused, is queued
	 * (or delivered) before the first snapshot. */
	if (result == 0 && session->hold && hold_settle(session->hold, err) < 0)
		result = -1;
	if (result == 0 && session->events[call_index].kind == EVENT_SKIPPED) {
		/* Nothing ran: the snapshot stands, no expectation applies. */
		session->steps_done++;
		return copy_snapshot_to(session, first_event, session->event_count, err);
	}
	if (result == 0) {
		if (take_snapshot(session, err) < 0
		    || settle(session, step, any_frozen ? PHASE_CALL : PHASE_ALL, first_event, err) < 0
		    || drain_wire(session, &session->events[call_index], err) < 0)
			result = -1;   /* the lab failed: said, never swallowed */
		else
			result = copy_snapshot_to(session, first_event, session->event_count, err);
	}
	if (result == 0 && tidy_resends(session, &session->events[call_index], err) < 0)
		result = -1;
	if (result == 0)
		describe_held(session, &session->events[call_index]);
	else
		result = -1;
	for (int s = 0; s < session->side_count; s++) {
		if (frozen[s] && session->sides[s].is_program)
			program_thaw(&session->sides[s].program);
		else if (frozen[s])
			puppet_thaw(&session->sides[s].puppet);
	}
	if (result < 0)
		return -1;
	check_step(session, step, &session->events[call_index], first_event, any_frozen ? PHASE_CALL : PHASE_ALL);
	if (any_frozen) {
		size_t woken_from = session->event_count;
		if (set_baseline(session, err) < 0 || collect_woken(session, stepping, err) < 0)
			return -1;
		/* Nothing woke: the call's snapshot stands, unless a timer moves it on. */
		size_t copy_from = session->event_count > woken_from ? woken_from : first_event;
		if ((session->hold && hold_settle(session->hold, err) < 0)
		    || (session->event_count > woken_from && take_snapshot(session, err) < 0)
		    || settle(session, step, PHASE_AFTER_WAKE, first_event, err) < 0
		    || drain_wire(session, &session->events[copy_from], err) < 0
		    || copy_snapshot_to(session, copy_from, session->event_count, err) < 0
		    || tidy_resends(session, &session->events[copy_from], err) < 0)
			return -1;
		describe_held(session, &session->events[copy_from]);
		check_step(session, step, &session->events[call_index], first_event, PHASE_AFTER_WAKE);
	}
	session->steps_done++;
	return 0;
}

int session_wire_next(struct session *session, bool drop, char **err)
{
	if (!session->hold || session->steps_done == 0)
		return 1;
	if (hold_collect(session->hold, err) < 0)
		return -1;
	char resent[sizeof session->events[0].resent] = "";
	if (resend_tidy(&session->resend, session->hold, !session->lesson->hold_forced, held_sender, session, resent,
			sizeof resent, err) < 0)
		return -1;
	if (hold_count(session->hold) == 0)
		return 1;
	const struct held_segment *segment = hold_peek(session->hold, 0);
	int side = side_of_address(session, segment->family, segment->source_text);
	struct typed_call call = { .side = side >= 0 ? side : 0,
				   .def = &catalog_calls[drop ? CALL_DROP : CALL_RELEASE],
				   .text = (char *)(drop ? "drop()" : "release()") };
	if (set_baseline(session, err) < 0)
		return -1;
	size_t first = session->event_count;
	struct lab_event *event = append_event(session, EVENT_RETURNED, call.side, &call);
	if (!event)
		return text_error(err, "out of memory");
	snprintf(event->resent, sizeof event->resent, "%s", resent);
	if ((drop ? resend_drop_at(&session->resend, session->hold, 0, err)
		  : resend_release_at(&session->resend, session->hold, 0, !session->lesson->hold_forced, err)) < 0
	    || hold_settle(session->hold, err) < 0 || collect_woken(session, -1, err) < 0
	    || take_snapshot(session, err) < 0 || drain_wire(session, &session->events[first], err) < 0
	    || copy_snapshot_to(session, first, session->event_count, err) < 0)
		return -1;
	/* What is held now, said once: after the last of what the release caused. */
	if (tidy_resends(session, &session->events[session->event_count - 1], err) < 0)
		return -1;
	describe_held(session, &session->events[session->event_count - 1]);
	/* Part of the step on screen, as a woken call is. */
	for (size_t i = first; i < session->event_count; i++)
		session->events[i].step = session->steps_done;
	return 0;
}

int session_wire_fd(const struct session *session)
{
	return session->hold ? hold_fd(session->hold) : -1;
}

int session_wire_collect(struct session *session, char **err)
{
	return session->hold && hold_collect(session->hold, err) < 0 ? -1 : 0;
}

int session_wait(struct session *session, int ms, char **err)
{
	int64_t deadline = timed_now_us() + (int64_t)ms * 1000;
	for (int64_t left = deadline - timed_now_us(); left > 0; left = deadline - timed_now_us()) {
		if (session->hold) {
			if (hold_wait(session->hold, (int)((left + 999) / 1000), err) < 0)
				return -1;
		} else {
			struct timespec tick = { .tv_sec = left / 1000000, .tv_nsec = (long)(left % 1000000) * 1000 };
			nanosleep(&tick, NULL);
			break;
		}
	}
	return 0;
}

int session_refresh(struct session *session, char **err)
{
	/* Keep the last step's change marks: compare with the same baseline. */
	struct lab_snapshot previous = session->snapshot;
	session->snapshot = (struct lab_snapshot){ 0 };
	int result = take_snapshot(session, err);
	if (result < 0) {
		lab_snapshot_done(&session->snapshot);
		session->snapshot = previous;
		return -1;
	}
	lab_snapshot_done(&previous);
	return 0;
}

int session_observe(struct session *session, const struct observed_call *observed, char **err)
{
	if (observed->side < 0 || observed->side >= session->side_count || observed->call >= CALL_COUNT)
		return text_error(err, "an observed call the lab cannot place");
	struct side *side = &session->sides[observed->side];
	if (!side->observed) {
		side->observed = true;
		fdtable_init(&side->processes, observed->process);
	}
	if (set_baseline(session, err) < 0)
		return -1;
	struct typed_call call = { .side = observed->side, .def = &catalog_calls[observed->call],
				   .text = (char *)observed->text };
	size_t first = session->event_count;
	struct lab_event *event = append_event(session, observed->kind, observed->side, &call);
	if (!event)
		return text_error(err, "out of memory");
	event->fd_argument = observed->fd;
	text_copy(event->target, sizeof event->target, observed->target ? observed->target : "");
	if (observed->kind != EVENT_BLOCKED) {
		event->ret = observed->ret;
		event->error = observed->error;
		text_copy(event->address, sizeof event->address, observed->address ? observed->address : "");
		if (observed->bytes_len) {
			event->bytes = malloc(observed->bytes_len);
			if (!event->bytes)
				return text_error(err, "out of memory");
			memcpy(event->bytes, observed->bytes, observed->bytes_len);
			event->bytes_len = observed->bytes_len;
		}
		/* The process's fd table, from what its calls returned. */
		bool makes_socket = observed->call == CALL_SOCKET || observed->call == CALL_ACCEPT;
		if (makes_socket && observed->ret >= 0 && observed->result_inode)
			fdtable_add(&side->processes, observed->process, (int)observed->ret,
				    (uint32_t)observed->result_inode);
		bool child_holds = false;
		for (size_t i = 0; observed->call == CALL_FORK && i < side->processes.fd_count; i++)
			child_holds |= side->processes.fds[i].process == (pid_t)observed->ret;
		if (child_holds)
			text_copy(event->aside, sizeof event->aside,
				  "the child holds a copy of each of its parent's fds: every socket now has two holders");
		if (observed->call == CALL_CLOSE && observed->ret == 0
		    && fdtable_close(&side->processes, observed->process, observed->fd) > 0)
			text_copy(event->aside, sizeof event->aside,
				  "the other process still holds it: no FIN, the connection stays open");
	}
	if (fdtable_process_count(&side->processes) > 1)
		fdtable_label(&side->processes, observed->process, session->lesson->sides[observed->side], event->who,
			      sizeof event->who);
	if (take_snapshot(session, err) < 0 || drain_wire(session, event, err) < 0
	    || copy_snapshot_to(session, first, session->event_count, err) < 0)
		return -1;
	session->steps_done++;
	session->info.step_count = session->steps_done;
	return 0;
}

int session_observe_process(struct session *session, const struct observed_process *observed, char **err)
{
	if (observed->side < 0 || observed->side >= session->side_count)
		return text_error(err, "an observed process the lab cannot place");
	struct side *side = &session->sides[observed->side];
	if (!side->observed) {
		side->observed = true;
		fdtable_init(&side->processes, observed->kind == OBSERVED_FORK ? observed->parent : observed->process);
	}
	if (observed->kind == OBSERVED_FORK)
		fdtable_fork(&side->processes, observed->parent, observed->process);
	else if (observed->kind == OBSERVED_EXEC)
		fdtable_exec(&side->processes, observed->process, observed->command ? observed->command : "");
	else if (observed->kind == OBSERVED_NEW_FD)
		fdtable_add(&side->processes, observed->process, observed->fd, observed->inode);
	else
		fdtable_exit(&side->processes, observed->process);
	return 0;
}

void session_process_label(const struct session *session, int side, int process, char *out, size_t size)
{
	const char *name = side >= 0 && side < session->side_count ? session->lesson->sides[side] : "?";
	if (side < 0 || side >= session->side_count || !session->sides[side].observed)
		snprintf(out, size, "%s", name);
	else
		fdtable_label(&session->sides[side].processes, process, name, out, size);
}

/* ---- life ---------------------------------------------------------- */

static void stop_sides(struct session *session)
{
	for (int s = 0; s < session->side_count; s++) {
		puppet_stop(&session->sides[s].puppet);
		program_stop(&session->sides[s].program);
		free(session->sides[s].fds);
		free(session->sides[s].kinds);
		memset(&session->sides[s], 0, offsetof(struct side, request));
		session->sides[s].puppet.pid = -1;
		session->sides[s].puppet.channel = -1;
	}
}

/* The lesson file's directory: a program's ./ and ../ words are named
 * from there (the program starts in the lab's working directory). */
static void lesson_directory(const struct session *session, char *out, size_t size)
{
	char dir[4096] = ".";
	const char *slash = strrchr(session->lesson->path, '/');
	if (slash)
		snprintf(dir, sizeof dir, "%.*s", (int)(slash - session->lesson->path), session->lesson->path);
	if (!realpath(dir, out))
		snprintf(out, size, "%s", dir);
}

/* Where the Python line reporter is: beside the lessons, else where
 * socklab keeps its examples (installed, then the source tree), so a
 * lesson anywhere gets lines and its interpreter's start-up told apart. */
static void program_examples(const char *lesson_dir, char *examples, size_t examples_size)
{
	const char *const candidates[] = { lesson_dir, SOCKLAB_LESSON_DIR, SOCKLAB_SOURCE_LESSON_DIR };
	for (size_t i = 0; i < sizeof candidates / sizeof candidates[0]; i++) {
		char reporter[4400];
		snprintf(examples, examples_size, "%s/../examples", candidates[i]);
		snprintf(reporter, sizeof reporter, "%.4200s/trace_python_lines.py", examples);
		if (access(reporter, R_OK) == 0)
			break;
	}
}

static int start_program_sides(struct session *session, const char *lesson_dir, char **err)
{
	for (int s = 0; s < session->side_count; s++) {
		const char *command = session->lesson->programs[s];
		session->sides[s].is_program = command != NULL;
		if (!command || !programs_here(session))
			continue;
		/* The frontends ask first (consent.h); this is the last guard. */
		if (!session->lesson->programs_allowed)
			return text_error(err, "%s: the lesson's programs were not allowed to run", session->lesson->sides[s]);
		char examples[4200];
		program_examples(lesson_dir, examples, sizeof examples);
		if (program_start(&session->sides[s].program, command, lesson_dir, session->lesson->sides[s], examples, err) < 0)
			return -1;
	}
	return 0;
}

static int start_sides(struct session *session, char **err)
{
	/* Puppets start in the lab's working directory; the controller goes
	 * back to where it was (a user's relative paths stay valid). */
	int here = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	/* Before leaving: the lesson's path may be relative to here. Only a
	 * lesson with programs needs it; a puppet's restart asks nothing more. */
	char lesson_dir[4096] = "";
	for (int s = 0; s < session->side_count && !lesson_dir[0]; s++)
		if (session->lesson->programs[s])
			lesson_directory(session, lesson_dir, sizeof lesson_dir);
	if (session->workdir_fd >= 0 ? fchdir(session->workdir_fd) < 0 : chdir(session->workdir) < 0) {
		if (here >= 0)
			close(here);
		return text_error(err, "cannot enter the lab's working directory: %s", strerror(errno));
	}
	int result = start_program_sides(session, lesson_dir, err);
	/* A side a fork() makes has no process until then; a program is its own. */
	for (int s = 0; s < session->side_count && result == 0; s++)
		if (!session->lesson->forked[s] && !session->lesson->programs[s])
			/* The private path's user namespace allows chroot: into the
			 * tmpfs, or the temporary directory where fsopen() is missing. */
			result = session->sandbox->kind == SANDBOX_NETNS ? puppet_start_confined(&session->sides[s].puppet, err)
									 : puppet_start(&session->sides[s].puppet, err);
	for (int s = 0; s < session->side_count && result == 0; s++)
		if (!session->lesson->forked[s] && !session->lesson->programs[s])
			result = puppet_warm_up(&session->sides[s].puppet, err);
	if (here >= 0 ? fchdir(here) < 0 : chdir("/") < 0)
		result = text_error(err, "cannot go back to the working directory: %s", strerror(errno));
	if (here >= 0)
		close(here);
	return result;
}

static void clear_log(struct session *session)
{
	for (size_t i = 0; i < session->event_count; i++)
		lab_event_done(&session->events[i]);
	session->event_count = 0;
	lab_snapshot_done(&session->snapshot);
	lab_snapshot_done(&session->baseline);
	tie_forget(session->tie);
	exact_forget(session->exact);
	session->events_probed = 0;
	session->steps_done = 0;
	session->failure_count = 0;
	timed_clear(&session->timed);
	resend_clear(&session->resend);
}

static void fill_info(struct session *session)
{
	struct run_info *info = &session->info;
	const struct lesson *lesson = session->lesson;
	memset(info, 0, sizeof *info);
	text_copy(info->lesson, sizeof info->lesson, lesson->name);
	text_copy(info->title, sizeof info->title, lesson->title ? lesson->title : "");
	text_copy(info->sandbox, sizeof info->sandbox, sandbox_describe(session->sandbox));
	info->side_count = lesson->side_count;
	memcpy(info->sides, lesson->sides, sizeof info->sides);
	info->step_count = lesson->step_count;
}

/* On the host, every fixed port the lesson names gets its free port
 * before step 1, so the header can say so before anything runs. */
static int map_lesson_ports(struct session *session, char **err)
{
	if (session->sandbox->kind != SANDBOX_HOST)
		return 0;
	const struct lesson *lesson = session->lesson;
	for (size_t i = 0; i < lesson->step_count; i++) {
		const struct typed_call *call = &lesson->steps[i].call;
		for (int a = 0; a < call->arg_count; a++) {
			const struct sockaddr_storage *address = &call->args[a].address;
			uint16_t port = 0;
			if (call->args[a].kind != ARG_ADDRESS)
				continue;
			if (address->ss_family == AF_INET)
				port = ntohs(((const struct sockaddr_in *)address)->sin_port);
			else if (address->ss_family == AF_INET6)
				port = ntohs(((const struct sockaddr_in6 *)address)->sin6_port);
			if (port && map_port(session, port, err) == 0)
				return -1;
		}
	}
	return 0;
}

int session_new(struct session **out, const struct lesson *lesson, struct sandbox *sandbox, char **err)
{
	struct session *session = calloc(1, sizeof *session);
	if (session && (!(session->tie = tie_new()) || !(session->exact = exact_new()))) {
		tie_free(session->tie);
		free(session);
		session = NULL;
	}
	if (!session)
		return text_error(err, "out of memory");
	session->lesson = lesson;
	session->sandbox = sandbox;
	session->side_count = lesson->side_count;
	session->workdir_fd = -1;
	capture_batch_init(&session->batch);
	for (int s = 0; s < LESSON_MAX_SIDES; s++) {
		session->sides[s].puppet.pid = -1;
		session->sides[s].puppet.channel = -1;
	}
	fill_info(session);
	if (map_lesson_ports(session, err) < 0 || workdir_make(session, err) < 0 || probe_open(&session->probe, err) < 0
	    || start_sides(session, err) < 0 || open_hold(session, err) < 0) {
		session_free(session);
		return -1;
	}
	*out = session;
	return 0;
}

void session_set_interrupt(struct session *session, const volatile sig_atomic_t *flag)
{
	session->interrupt = flag;
}

void session_free(struct session *session)
{
	if (!session)
		return;
	stop_sides(session);
	hold_free(session->hold);
	capture_free(session->capture);
	capture_batch_done(&session->batch);
	capture_file_close(session->pcap, NULL);
	probe_free(session->probe);
	free(session->tie_fds);
	free(session->host_ports);
	probe_snapshot_done(&session->raw);
	clear_log(session);
	tie_free(session->tie);
	exact_free(session->exact);
	free(session->touched);
	free(session->events);
	workdir_done(session, true);
	free(session);
}

int session_restart(struct session *session, char **err)
{
	stop_sides(session);
	clear_log(session);
	workdir_done(session, false);
	probe_free(session->probe);
	session->probe = NULL;
	/* The capture and the hold belong to the old namespace's lo. */
	capture_free(session->capture);
	session->capture = NULL;
	hold_free(session->hold);
	session->hold = NULL;
	int port_map_count = session->info.port_map_count;
	typeof(session->info.port_map) port_map;
	memcpy(port_map, session->info.port_map, sizeof port_map);
	if (sandbox_renew(session->sandbox, err) < 0 || probe_open(&session->probe, err) < 0
	    || workdir_make(session, err) < 0)
		return -1;
	char wire[sizeof session->info.wire];
	memcpy(wire, session->info.wire, sizeof wire);
	fill_info(session);
	memcpy(session->info.wire, wire, sizeof wire);
	if (open_capture(session, err) < 0 || open_hold(session, err) < 0)
		return -1;
	/* Keep the host path's ports: the same lesson port maps the same way. */
	session->info.port_map_count = port_map_count;
	memcpy(session->info.port_map, port_map, sizeof port_map);
	return start_sides(session, err);
}

int session_goto(struct session *session, size_t steps_done, char **err)
{
	if (session_restart(session, err) < 0)
		return -1;
	while (session->steps_done < steps_done) {
		int result = session_step(session, err);
		if (result != 0)
			return result < 0 ? -1 : 0;
	}
	return 0;
}

size_t session_steps_done(const struct session *session)
{
	return session->steps_done;
}

const struct lesson *session_lesson(const struct session *session)
{
	return session->lesson;
}

const struct run_info *session_info(const struct session *session)
{
	return &session->info;
}

const struct lab_event *session_events(const struct session *session, size_t *count)
{
	*count = session->event_count;
	return session->events;
}

const struct lab_snapshot *session_snapshot(const struct session *session)
{
	return &session->snapshot;
}

const char *session_blocked_call(const struct session *session, int side)
{
	if (side < 0 || side >= session->side_count || !session->sides[side].blocked)
		return NULL;
	return session->lesson->steps[session->sides[side].blocked_step].call.text;
}

size_t session_failure_count(const struct session *session)
{
	return session->failure_count;
}

void lab_snapshot_done(struct lab_snapshot *snapshot)
{
	free(snapshot->sockets);
	snapshot->sockets = NULL;
	snapshot->count = 0;
}

const char *session_timer_name(unsigned timer)
{
	/* idiag_timer's values, as inet_diag fills them. */
	static const char *const names[] = { "", "retransmit", "keepalive", "TIME-WAIT", "zero-window probe" };
	return timer < sizeof names / sizeof names[0] ? names[timer] : "?";
}

const char *lab_event_wire_silence(const struct lab_event *event)
{
	/* Only the calls that send a segment on TCP: connect, send, shutdown. */
	static const enum call_id sending[] = { CALL_CONNECT, CALL_SEND, CALL_SENDALL, CALL_SENDTO, CALL_SHUTDOWN };
	bool sends = false;
	for (size_t i = 0; i < sizeof sending / sizeof sending[0]; i++)
		sends |= event->call == sending[i];
	if (event->packet_count || !sends || event->kind != EVENT_RETURNED)
		return NULL;
	int fd = event->fd_argument;
	for (size_t i = 0; fd >= 0 && i < event->snapshot.count; i++) {
		const struct lab_socket *socket = &event->snapshot.sockets[i];
		if (socket->side == event->side && socket->fd == fd)
			return socket->family == AF_UNIX ? "no packets: a unix socket's bytes stay inside the kernel" : NULL;
	}
	return NULL;
}

void lab_event_done(struct lab_event *event)
{
	free(event->text);
	free(event->bytes);
	for (size_t i = 0; i < event->failure_count; i++)
		free(event->failures[i]);
	free(event->failures);
	for (size_t i = 0; i < event->timer_ended_count; i++)
		free(event->timers_ended[i]);
	free(event->timers_ended);
	free(event->packets);
	lab_snapshot_done(&event->snapshot);
	memset(event, 0, sizeof *event);
}
