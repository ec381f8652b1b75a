/* probe — the kernel's view of the lab's sockets, read through sock_diag.
 *
 * One netlink socket (NETLINK_SOCK_DIAG, built with libmnl) asks the kernel
 * for a dump of every socket of the families the caller names, exactly as
 * `ss` does: inet_diag (TCP and UDP over IPv4 and IPv6) and unix_diag.
 * The dump lists sockets that no file descriptor holds too: a connection
 * completed in a listener's accept queue, request sockets in SYN-RECV,
 * TIME-WAIT after close. For a LISTEN socket the kernel reports the accept
 * queue length as the receive queue and the backlog as the send queue.
 *
 * The probe only reads; it knows nothing of sides or names (session does
 * that, through the inodes in each process's /proc/PID/fd).
 * The netlink socket belongs to the network namespace it was opened in:
 * open the probe after entering the sandbox, and again after renewing it.
 */
#ifndef SOCKLAB_PROBE_H
#define SOCKLAB_PROBE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* What to dump: ask only for what the lab holds, each dump costs. */
enum probe_what {
	PROBE_TCP4 = 1u << 0,
	PROBE_TCP6 = 1u << 1,
	PROBE_UDP4 = 1u << 2,
	PROBE_UDP6 = 1u << 3,
	PROBE_UNIX = 1u << 4,
	/* TCP_BOUND_INACTIVE (Linux >= 6.9): bound, neither listening nor
	 * connected. It walks the global bind hash (+55 us), so ask for it only
	 * while the lab holds such a socket. */
	PROBE_BOUND_INACTIVE = 1u << 5,
	/* No LISTEN state in TCP dumps: the kernel then skips its listening
	 * hash, which every network namespace shares with the host (tens of
	 * thousands of buckets on a large machine: ~30 us). Ask for it only
	 * while the lab holds no listening socket. */
	PROBE_SKIP_LISTEN = 1u << 6,
};

struct probe_socket {
	int family;                     /* AF_INET, AF_INET6, AF_UNIX */
	int type;                       /* SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET */
	int protocol;                   /* IPPROTO_TCP, IPPROTO_UDP, 0 for unix */
	int state;                      /* TCP_* numbering as the kernel reports it
	                                   (1 ESTABLISHED .. 12 NEW_SYN_RECV); a socket that
	                                   PROBE_BOUND_INACTIVE brings in reports 7 TCP_CLOSE,
	                                   never 13; unix sockets use the same numbers
	                                   (TCP_LISTEN, TCP_ESTABLISHED, TCP_CLOSE) */
	struct sockaddr_storage local;  /* AF_UNIX: sun_path ("" when unbound; '@' first
	                                   for abstract) */
	struct sockaddr_storage peer;   /* AF_UNIX: unused, see peer_inode */
	uint32_t inode;                 /* 0 for TIME-WAIT and request sockets */
	uint32_t peer_inode;            /* AF_UNIX: the peer's inode, 0 if none */
	uint32_t recv_queue;            /* bytes; LISTEN: connections in the accept queue */
	uint32_t send_queue;            /* bytes; LISTEN: the backlog */
	uint32_t uid;                   /* owner */
	uint8_t timer;                  /* idiag_timer: 0 none, 1 retransmit, 2 keepalive,
	                                   3 TIME-WAIT, 4 zero-window probe */
	uint32_t timer_ms;              /* time left on that timer, milliseconds */
	uint32_t retransmits;           /* idiag_retrans */
	uint64_t cookie;                /* the kernel's socket cookie (stable identity) */
};

/* A growable array of sockets; owned by whoever holds the struct. */
struct probe_snapshot {
	struct probe_socket *sockets;
	size_t count;
	size_t capacity;
};

struct probe;

/* Opens the netlink socket in the current network namespace.
 * On failure returns -1 and sets *err to a malloc'd message. */
int probe_open(struct probe **out, char **err);
void probe_free(struct probe *probe);                /* safe on NULL */

/* Clears snap, then fills it with every socket of the kinds in `what`.
 * Returns 0, or -1 with *err (malloc'd). */
int probe_snapshot(struct probe *probe, unsigned what, struct probe_snapshot *snap, char **err);

/* Parses one netlink dump buffer (as received from the kernel, possibly
 * several messages) and appends its sockets to snap. `unix_dump` picks the
 * message layout. Returns 1 while more messages follow, 0 at NLMSG_DONE,
 * -1 on a malformed buffer or an error message (with *err).
 * Used by probe_snapshot and by tests that feed recorded dumps. */
int probe_parse_dump(const void *buf, size_t len, int unix_dump,
		     struct probe_snapshot *snap, char **err);

/* The same for the dump of one kind (exactly one of PROBE_TCP4 .. PROBE_UNIX).
 * inet_diag records do not name their protocol, so only the request tells a
 * UDP dump from a TCP one: probe_parse_dump reads every inet dump as TCP.
 * Records of another family than the kind's are an error. */
int probe_parse_dump_kind(const void *buf, size_t len, unsigned kind,
			  struct probe_snapshot *snap, char **err);

/* One socket asked for by its identity (the host path): a hash lookup in
 * the kernel, not a walk of the host's tables. */
struct probe_key {
	unsigned kind;                  /* exactly one of PROBE_TCP4 .. PROBE_UNIX */
	struct sockaddr_storage local;  /* inet: address and port */
	struct sockaddr_storage peer;   /* inet: zero for a listener */
	uint32_t inode;                 /* AF_UNIX: the socket's inode */
	uint64_t cookie;                /* the kernel's cookie, 0 unknown */
};

/* Appends to snap every socket of `keys` the kernel still has, asking for
 * each with SOCK_DIAG_BY_FAMILY without NLM_F_DUMP. TCP's lookup finds
 * established, TIME-WAIT and request sockets and listeners. A key whose
 * cookie names a socket since replaced (a TIME-WAIT socket is a new one)
 * is asked again without it. A key the kernel does not find adds nothing.
 * Returns 0, or -1 with *err (snap then holds a part). */
int probe_lookup(struct probe *probe, const struct probe_key *keys, size_t count,
		 struct probe_snapshot *snap, char **err);

/* The key that asks for `socket` again; -1 for a socket no exact request
 * can name (no inode, no inet address). */
int probe_key_of(const struct probe_socket *socket, struct probe_key *key);

void probe_snapshot_clear(struct probe_snapshot *snap);   /* count = 0, keeps memory */
void probe_snapshot_done(struct probe_snapshot *snap);    /* frees the array */

/* "ESTABLISHED", "SYN-SENT", "LISTEN", "TIME-WAIT", ...; "UNCONN" for a
 * datagram socket in TCP_CLOSE; "?" for an unknown number. Static strings. */
const char *probe_state_name(int state, int type);

/* The name to show for one socket, which its family can change: "UNCONN"
 * for any unix socket in TCP_CLOSE (stream ones too), "BOUND" for a TCP
 * socket in TCP_CLOSE (a dump lists one only while it is bound, through
 * PROBE_BOUND_INACTIVE); otherwise probe_state_name. Static strings. */
const char *probe_socket_state_name(const struct probe_socket *socket);

#endif
