/* model — the values a run is made of: each socket as the lab shows it,
 * snapshots of them (rows shared between snapshots, lab/snapshot.c), the
 * packets on the wire and the events of the log, with what each owns. The
 * session fills them, the trace reader builds them from a file, and the
 * frontends read them; nothing here calls the kernel.
 */
#ifndef SOCKLAB_MODEL_H
#define SOCKLAB_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "address.h"
#include "catalog.h"
#include "lesson.h"
#include "readiness.h"
#include "text.h"

/* Why a socket has no file descriptor, or none of note. */
enum socket_note {
	NOTE_NONE,           /* held by an fd */
	NOTE_UNBOUND,        /* held by an fd, but in no kernel table yet (no address) */
	NOTE_BOUND_ONLY,     /* TCP, bound, neither listening nor connected (the
	                        kernel says CLOSE) */
	NOTE_ACCEPT_QUEUE,   /* completed, waits in a listener's accept queue: no fd
	                        until accept() */
	NOTE_HANDSHAKE,      /* a request socket: the handshake is not complete (SYN-RECV),
	                        not queued yet */
	NOTE_CLOSED,         /* its fd was closed; the kernel is finishing the connection */
	NOTE_KERNEL_COPY,    /* the fd still holds the socket, but the kernel moved the connection
	                        on to this copy (TIME-WAIT after the peer's FIN on a
	                        half-closed socket) */
	NOTE_DROPPED,        /* held by an fd, in no kernel table any more: closed (no RST seen) */
	NOTE_RESET,          /* held by an fd, in no kernel table any more: an RST for it was seen,
	                        or a call on it returned ECONNRESET or ECONNREFUSED */
	NOTE_UNKNOWN,        /* the lab cannot tell whose it is */
	NOTE_UNREAD,         /* held by an fd, of a family sock_diag is not asked about
	                        (netlink, packet) */
	NOTE_COUNT
};

/* What changed since the previous snapshot (bits). */
enum socket_change {
	CHANGE_NEW = 1u << 0,
	CHANGE_STATE = 1u << 1,
	CHANGE_QUEUE = 1u << 2,
	CHANGE_FD = 1u << 3,
	CHANGE_ADDRESS = 1u << 4,   /* the local or peer address (a bind, a unix connect) */
};

/* One socket as the lab shows it: the probe's view, tied to a side. */
struct lab_socket {
	int side;                         /* index into the sides; -1 unknown */
	int fd;                           /* -1 when no fd holds it */
	int process;                      /* a program side: the process whose fd it is
	                                     (pid); 0 a puppet's */
	unsigned holders;                 /* how many fds (of any process) hold this kernel
	                                     socket; 0 none */
	char name[NAME_MAX_LEN];          /* the lesson's name for it, or "" */
	int family;                       /* AF_INET, AF_INET6, AF_UNIX */
	int type;                         /* SOCK_STREAM, SOCK_DGRAM */
	int state;                        /* TCP_* number (SYN-RECV for request
	                                     sockets); 0 unbound */
	struct lab_address local;         /* made text only where shown (lab_address_text) */
	struct lab_address peer;          /* AF_UNIX: the other end's path, "(unnamed)", "(peer)" */
	uint32_t recv_queue;              /* bytes; LISTEN: connections waiting in
	                                     the accept queue */
	uint32_t send_queue;              /* bytes; LISTEN: the backlog */
	uint32_t timer_ms;                /* time left on the kernel's timer, 0 none */
	uint8_t timer;                    /* which timer (lab_timer_name): 1 retransmit, 2
	                                     keepalive, 3 TIME-WAIT, 4 zero-window probe; 0 none */
	uint32_t retransmits;             /* segments resent and not yet answered */
	uint32_t uid;                     /* the socket's owner */
	uint32_t peer_inode;              /* AF_UNIX: the inode of the socket at the
	                                     other end, 0 none */
	uint64_t cookie;                  /* the kernel's identity for the socket, 0 none */
	uint32_t inode;                   /* 0 when no struct socket exists yet */
	enum socket_note note;
	unsigned changes;                 /* enum socket_change bits */
	uint32_t order;                   /* where it sorts among sockets no fd
	                                     holds (not traced) */
};

/* Every socket at one moment, in the order the frontends show them. Rows
 * are immutable and shared (lab/snapshot.c): a row that is the same as in
 * the snapshot before, change marks included, is that snapshot's row, so a
 * long log keeps the rows that changed, not every socket every step. */
struct lab_snapshot {
	const struct lab_socket **sockets;   /* count rows; the array owned, each row shared */
	size_t count;
};

enum event_kind {
	EVENT_RETURNED,   /* the call returned */
	EVENT_BLOCKED,    /* the call sleeps in the kernel */
	EVENT_WOKE,       /* a call blocked in an earlier step returned during this one */
	EVENT_NOT_RUN,    /* the side was still blocked: the call was not made */
	EVENT_SKIPPED,    /* the step needs a private namespace and this run has none */
	EVENT_KIND_COUNT
};

/* One packet the call caused, as the capture on lo decoded it. */
struct wire_packet {
	int from_side;                    /* the side whose socket sent it, -1 unknown */
	int to_side;
	struct lab_address from; /* 127.0.0.1:40312 */
	struct lab_address to;
	int protocol;                     /* IPPROTO_TCP, IPPROTO_UDP */
	uint8_t flags;                    /* TCP: the header's flag bits (enum packet_flag),
	                                     named by packet_flags_text ("SYN-ACK"); 0 for UDP */
	uint32_t seq, ack;                /* relative to each side's first sequence number, as
	                                     Wireshark shows */
	uint32_t window;                  /* bytes, after window scaling */
	uint32_t length;                  /* payload bytes */
	char payload[132];                /* the first payload bytes, escaped */
	int64_t time_us;                  /* when it crossed lo (CLOCK_REALTIME) */
};

/* A fact of a call the socket rows alone do not say (lab_event_aside_text). */
enum event_aside {
	ASIDE_NONE,
	ASIDE_PAIR,            /* socketpair: aside_fds are the two ends of one connection */
	ASIDE_CHILD_COPIES,    /* fork: the child holds a copy of each of its parent's fds */
	ASIDE_STILL_HELD,      /* close: another process still holds the socket, no FIN */
};

struct lab_event {
	size_t seq;                       /* 1, 2, ... across the run */
	size_t step;                      /* the step this happened in, 1-based */
	enum event_kind kind;
	int side;
	enum call_id call;
	char *text;                       /* the call as written; owned */
	long ret;
	int error;                        /* errno when ret == -1 */
	unsigned char *bytes;             /* received bytes (recv, recvfrom); owned */
	size_t bytes_len;
	struct lab_address address;       /* filled in by accept/recvfrom/getsockname/getpeername,
	                                     or EMPTY */
	int fd_argument;                  /* the socket argument as the kernel got it, -1 if none */
	struct lab_address target;        /* the address argument as the kernel got it (bind,
	                                     connect, sendto), or EMPTY */
	long value;                       /* getsockopt/fcntl value; sendmmsg/recvmmsg: the
	                                     messages' bytes */
	struct ready_fd *ready;           /* poll/select/epoll_wait: the fds reported ready, in
	                                     the call's order (readiness_text: "ls POLLIN, conn
	                                     POLLIN"); owned; NULL when none */
	size_t ready_count;
	char refusal[160];                /* the lab refused the call itself, no kernel saw it (ret
	                                     -1, error): why, e.g.
	                                     "fd 1000 is not one of this side's sockets"; "" when
	                                     the kernel answered */
	bool has_value;
	uint64_t elapsed_ns;              /* time inside the call */
	struct lab_snapshot snapshot;     /* every socket after the step; owned */
	char **failures;                  /* expectations the kernel did not meet, in
	                                     plain words; owned */
	size_t failure_count;
	char **failures_shown;            /* the same in the language chosen, as
	                                     timers_ended_shown; owned */
	char **timers_ended;              /* expectations `unless its timer ran out` that did not
	                                     hold because the kernel's timer ended the state first,
	                                     each said in words
	                                     ("TIME-WAIT ended: 91 s passed since step 11, ...");
	                                     not failures; owned */
	size_t timer_ended_count;
	char **timers_ended_shown;        /* the same in the language chosen, each NULL where it
	                                     reads as the English (and the array NULL for a trace
	                                     read back); owned */
	char probe_note[128];             /* host path: the once-a-second dump found sockets of the
	                                     lab that the exact requests had missed,
	                                     in words; or "" */
	struct wire_packet *packets;      /* what crossed lo during this event's part of
	                                     the step; owned */
	size_t packet_count;
	char held[400];                   /* `wire: hold`: the segments the kernel holds after this
	                                     part, "client -> server SYN seq 0; ...", or ""; in
	                                     English (traced) */
	char resent[400];                 /* `wire: hold`: copies the kernel's timers sent of held
	                                     segments during this part, "the kernel resent the SYN
	                                     (1 s timer) from client: ...; ...", or "" (resend.h);
	                                     in English (traced) */
	char *held_shown;                 /* the two in the interface's language, owned; NULL
	                                     when the same */
	char *resent_shown;               /* as the English, and in an event read from a trace
	                                     (lab_event_held_shown, lab_event_resent_shown) */
	char who[48];                     /* a program side of several processes: the one that made
	                                     the call, "server/child1"; "" when the side has one */
	enum event_aside aside;           /* a fact of this call the rows alone do not say, in words
	                                     at display (lab_event_aside_text): the model
	                                     keeps no language */
	int aside_fds[2];                 /* ASIDE_PAIR: socketpair's two fds */
};

/* What a transcript or trace needs to know about the run besides events. */
struct run_info {
	char lesson[64];                  /* "01-echo" */
	char title[128];
	char sandbox[256];                /* sandbox_describe() */
	char wire[200];                   /* "" when packets are captured, else why not */
	char held[200];                   /* `wire: hold` lessons: "" when segments are
	                                     held, else why not */
	bool unchecked;                   /* --hold: the lesson's expectations are not checked */
	char sides[LESSON_MAX_SIDES][NAME_MAX_LEN];
	int side_count;
	size_t step_count;
	/* Host path: the lesson's port (from) is really the kernel's (to); the
	 * first 16 lesson ports (the session maps every one). */
	struct { uint16_t from, to; } port_map[16];
	int port_map_count;
};

/* A call a traced program made (socklab step), as the tracer saw it. */
struct observed_call {
	int side;
	enum event_kind kind;             /* EVENT_RETURNED, EVENT_BLOCKED or EVENT_WOKE */
	enum call_id call;                /* the catalog's row it maps onto */
	const char *text;                 /* strace style:
	                                     "bind(3, {AF_INET, 127.0.0.1:65432}, 16)" */
	long ret;
	int error;
	const unsigned char *bytes;       /* received */
	size_t bytes_len;
	const struct lab_address *address;   /* filled in by the kernel, or NULL */
	const struct lab_address *target;    /* the address argument, or NULL */
	int fd;                           /* the socket argument, -1 none */
	uint64_t result_inode;            /* a new socket's inode (socket, accept4) */
	int pair[2];                      /* socketpair: the two new fds, -1 -1 otherwise */
	uint64_t pair_inodes[2];          /* their sockets' inodes */
	uint64_t message_bytes;           /* sendmmsg/recvmmsg: the bytes of the messages
	                                     that went or came */
	int family, type;                 /* socket, socketpair: what it made; 0 0 unknown */
	int process;                      /* the process (pid) that made it; 0 the
	                                     side's only one */
};

/* A program side's processes (fdtable.h): a fork gives the child its
 * parent's fds, an exec keeps them, an exit closes them. */
enum observed_process_kind {
	OBSERVED_FORK,
	OBSERVED_EXEC,
	OBSERVED_EXIT,
};

struct observed_process {
	int side;
	enum observed_process_kind kind;
	int process;
	int parent;                       /* OBSERVED_FORK */
	const char *command;              /* OBSERVED_EXEC: the new command line */
};

/* Why a call caused no packet on the wire when the reason is its socket,
 * "no packets: a unix socket's bytes stay inside the kernel", or NULL; in
 * English, marked N_(): _() where shown.
 * From the event alone, so a replayed trace says it too. */
const char *lab_event_wire_silence(const struct lab_event *event);

/* "retransmit", "keepalive", "TIME-WAIT", "zero-window probe", or "" for
 * no timer: the kernel's name for lab_socket.timer. */
const char *lab_timer_name(unsigned timer);
/* The same in the interface's language (TIME-WAIT stays the kernel's). */
const char *lab_timer_shown(unsigned timer);

/* Frees what an event owns (for readers that build events themselves). */
void lab_event_done(struct lab_event *event);

/* Building snapshots (lab/snapshot.c). A snapshot starts zeroed; these
 * return 0, or -1 out of memory (the snapshot unchanged). A snapshot made
 * by hand (rows of the caller's) is only read: none of these take it. */
/* A copy of `row` as a new row at the end. */
int lab_snapshot_append(struct lab_snapshot *snapshot, const struct lab_socket *row);
/* `row`, a row of another snapshot, shared at the end (no copy). */
int lab_snapshot_append_shared(struct lab_snapshot *snapshot, const struct lab_socket *row);
/* `in`'s rows, shared, into `out` (which it overwrites: empty it first). */
int lab_snapshot_copy(struct lab_snapshot *out, const struct lab_snapshot *in);
/* Row `i`, to change: made this snapshot's own first (a copy when another
 * snapshot shares it). NULL out of memory. */
struct lab_socket *lab_snapshot_edit(struct lab_snapshot *snapshot, size_t i);
/* Releases the rows (freeing those no other snapshot shares) and the
 * array; the snapshot is empty after. Safe to call twice. */
void lab_snapshot_done(struct lab_snapshot *snapshot);

/* A socket's state as every frontend shows it: the kernel's name
 * ("LISTEN", "TIME-WAIT"); "UNCONN" for a datagram or Unix socket in
 * TCP_CLOSE; "CLOSE" for a TCP one (bound, neither listening nor
 * connected); "-" when the kernel lists it nowhere (no address yet). */
const char *lab_socket_state_text(const struct lab_socket *socket);

/* "in accept queue, no fd", "fd closed, kernel finishing", ... for a note:
 * lab_note_text in English (traces hold it and are read back by it),
 * lab_note_shown in the language of the interface. */
const char *lab_note_text(enum socket_note note);
const char *lab_note_shown(enum socket_note note);
/* The event's aside in the language of the interface, into `out` ("" for
 * none); returns `out`. */
const char *lab_event_aside_text(const struct lab_event *event, char *out, size_t size);
/* The event's held segments and resent copies as shown: in the interface's
 * language, or the English a trace kept. */
const char *lab_event_held_shown(const struct lab_event *event);
const char *lab_event_resent_shown(const struct lab_event *event);
/* Keeps `text` as *shown (freeing the one before), or NULL when it reads as
 * `english`: most runs are in English and pay nothing. Out of memory, the
 * English is shown. */
void lab_event_keep_shown(char **shown, const char *english, const char *text);
/* "returned", "blocked", ... */
const char *lab_event_kind_name(enum event_kind kind);
int lab_event_kind_value(const char *name);

/* Timer-ended sentence `i` of an event in the language chosen: the shown
 * form where one was made, else the English. */
const char *lab_event_timer_ended_shown(const struct lab_event *event, size_t i);
/* Failure `i` of an event in the language chosen, likewise. */
const char *lab_event_failure_shown(const struct lab_event *event, size_t i);

#endif
