/* hold — every TCP segment on `lo` waits in the kernel until the student
 * releases or drops it.
 *
 * The rule: one nf_tables table of the lab's own ("socklab_hold", family
 * inet, so IPv4 and IPv6 alike) with a chain on the output hook and one
 * rule: `oif lo meta l4proto tcp queue num HOLD_QUEUE_NUMBER bypass`.
 * It is programmed over netlink with libnftnl, in one transaction, from
 * this process: no iptables or nft program runs. The queue verdict comes
 * from the native nft `queue` expression where the kernel has it
 * (CONFIG_NFT_QUEUE); where it does not (this lab's Linux 6.18 build), from
 * the xtables NFQUEUE target through nft_compat, the very expression
 * `iptables-nft -j NFQUEUE` installs. The table is owned by the netlink
 * socket that made it (NFT_TABLE_F_OWNER): should the controller die, the
 * kernel removes it with the socket; hold_close removes it explicitly.
 * `bypass`: if nobody is bound to the queue, segments pass instead of being
 * dropped, so a wire without a reader never goes dead.
 *
 * The output hook is where a segment leaves its sender: the sender's state
 * has changed (SYN-SENT, FIN-WAIT-1) and the receiver has seen nothing.
 *
 * The queue: nfnetlink_queue (libnetfilter_queue's messages over libmnl),
 * copying the first HOLD_COPY_BYTES of each packet, enough for IPv6 + TCP
 * with every option. The kernel keeps each segment until a verdict names
 * its id; closing the queue without verdicts would drop them all, so
 * hold_close releases them first.
 *
 * When a segment is in. The kernel queues a segment in the context of the
 * call that sent it: when connect(), send() or close() returns (or sleeps,
 * as a blocking connect() does while its SYN is held), the segments it
 * sent are already waiting on the queue's socket, and hold_collect reads
 * them without waiting. A release hands the segment to lo, and the
 * receiver's TCP normally takes it in, and answers (SYN -> SYN-ACK), in
 * the softirq that runs before the verdict's sendmsg() returns; the
 * verdict goes with NLM_F_ACK and the kernel acknowledges it after that
 * answer, so hold_release has collected it already. Where the kernel
 * deferred that softirq (to ksoftirqd, or to another CPU when lo has RPS),
 * hold_settle waits, in 1 ms slices on the queue's fd, at most
 * HOLD_SETTLE_LIMIT_MS, until IP has counted every released segment as
 * delivered (InDelivers in /proc/net/snmp and snmp6: counted once TCP's
 * receive function has returned, its answer queued). So after every
 * action (a call, a release, a drop) the caller calls hold_settle and
 * shows what is held. Segments that timers send later (a delayed ACK
 * after ~40 ms, a retransmission after the RTO) come whenever they come:
 * hold_fd wakes an event loop, hold_wait waits for one under a deadline
 * (wire_await_answer waits so for the delayed ACK of a released FIN).
 * (One gap: a segment that arrives while its socket is locked by a system
 * call is answered when that call ends; that answer too comes by the fd.)
 *
 * What holding does to TCP: timers run on while a segment is held. A held
 * segment that the sender keeps for retransmission (SYN, data, FIN) is not
 * sent twice while the kernel still holds the copy, but its RTO fires and
 * backs off (sock_diag shows the retransmit counter rising); a SYN held for
 * tcp_syn_retries' worth of RTOs (~2 minutes) fails connect() with
 * ETIMEDOUT. A server's SYN-ACK is rebuilt on each RTO, so a held SYN-ACK
 * gets a twin after ~1 s (marked `retransmission`). The kernel holds at
 * most 1024 segments per queue; past that it drops them, and TCP resends.
 *
 * What the kernel does on the way out: removing a netfilter hook (our
 * chain) drops every packet queued in the namespace, and so does unbinding
 * the queue; hold_close therefore deletes the rule first, keeping the
 * chain, releases everything, then removes the table and the queue.
 *
 * Open it only in the lab's private network namespace, after entering it
 * (and again after sandbox_renew: rule and queue belong to one namespace):
 * it refuses a namespace with any interface but lo (the host's), where it
 * would hold other programs' traffic. Not thread-safe; one hold per
 * namespace (the queue number is fixed). No child process is run.
 */
#ifndef SOCKLAB_HOLD_H
#define SOCKLAB_HOLD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "address.h"
#include "text.h"

/* The nfnetlink queue the rule sends to; queues are per network namespace. */
#define HOLD_QUEUE_NUMBER 6543
/* Bytes of each packet copied to the lab: IPv6 (40) + TCP with options (60). */
#define HOLD_COPY_BYTES 128
/* The longest hold_settle waits for IP to deliver the released segments. */
#define HOLD_SETTLE_LIMIT_MS 20
/* Every message that says the kernel lacks a feature starts so: a test
 * skips on it, any other failure is a failure. */
#define HOLD_UNSUPPORTED_PREFIX "this kernel cannot hold segments"

enum hold_direction {
	HOLD_DIRECTION_UNKNOWN = 0,     /* the connection's first SYN was not seen */
	HOLD_CLIENT_TO_SERVER,          /* client: the end that sent the first SYN */
	HOLD_SERVER_TO_CLIENT,
};

/* One held segment, as a student reads it. */
struct held_segment {
	uint32_t id;                    /* the kernel's packet id, named by the verdict */
	int64_t held_at_us;             /* CLOCK_MONOTONIC when collected, microseconds */
	bool decoded;                   /* false: headers cut or not TCP; only id is valid */
	int family;                     /* AF_INET or AF_INET6 */
	struct sockaddr_storage source;         /* address and port, as the probe reports them */
	struct sockaddr_storage destination;
	struct lab_address source_address; /* the same as values: 127.0.0.1:40000 */
	struct lab_address destination_address;
	enum hold_direction direction;
	uint8_t flag_bits;              /* FIN 0x01 SYN 0x02 RST 0x04 PSH 0x08 ACK 0x10 URG 0x20
	                                   ECE 0x40 CWR 0x80 */
	char flags[32];                 /* flag_bits named (packet_flags_text): "SYN", "SYN-ACK",
	                                   "PSH-ACK", "none"; "?" when not decoded */
	uint32_t seq;                   /* relative to the sender's ISN (Wireshark's numbering) */
	uint32_t ack;                   /* relative to the receiver's ISN; 0 without ACK */
	uint32_t raw_seq;               /* as on the wire */
	uint32_t raw_ack;
	uint32_t payload_length;        /* TCP payload bytes */
	bool retransmission;            /* its sequence numbers were sent before (after a drop,
	                                   or a SYN-ACK rebuilt by its timer) */
};

struct hold;

/* Installs the rule and opens the queue in the current network namespace;
 * the queue's fd is non-blocking. Returns 0, or -1 with *err (malloc'd,
 * one line a student understands: no namespace of the lab's, no right to
 * change its rules, a kernel without queueing). Nothing is left installed
 * after a failure. */
int hold_open(struct hold **out, char **err);

/* Removes the rule and the queue after releasing (not dropping) every
 * segment still held, so the conversation goes on as if never stopped; a
 * drop would leave each sender to retransmit after its RTO, a second or
 * more later, and a puppet blocked in connect() would stay blocked that
 * long. Takes ~15-30 ms: the kernel waits for an RCU grace period when a
 * hook goes. Safe twice; every later call but hold_free fails with a
 * message (hold_count is 0). */
void hold_close(struct hold *hold);
void hold_free(struct hold *hold);      /* hold_close, then frees; safe on NULL */

/* Readable when the kernel has queued a segment: for an event loop.
 * -1 once closed. */
int hold_fd(const struct hold *hold);

/* "nft queue" or "xt NFQUEUE (nft_compat)": which expression the rule uses. */
const char *hold_mechanism(const struct hold *hold);

/* Reads every segment the kernel queued since the last read, without
 * waiting. Returns how many were added, or -1 with *err. */
int hold_collect(struct hold *hold, char **err);

/* After every action (a call, a release, a drop): collects, and if IP has
 * not yet delivered every segment released so far, waits on the queue's
 * fd (at most HOLD_SETTLE_LIMIT_MS) until it has, collecting what their
 * receivers answered. Returns how many were added, or -1 with *err. */
int hold_settle(struct hold *hold, char **err);

/* Waits on the queue's fd, at most timeout_ms, until at least one new
 * segment is collected (a delayed ACK, a retransmission). Returns how many
 * were added (0: none came in time), or -1 with *err. */
int hold_wait(struct hold *hold, int timeout_ms, char **err);

size_t hold_count(const struct hold *hold);
/* The i-th held segment, 0 the oldest; NULL past the end. Valid until the
 * next call that collects, releases or drops. */
const struct held_segment *hold_peek(const struct hold *hold, size_t i);

/* Accepts the oldest held segment: the kernel sends it on, now. Collects
 * what it caused at once. Returns 0, or -1 with *err ("no segment is held"
 * when there is none). */
int hold_release(struct hold *hold, char **err);

/* Drops the oldest held segment: the receiver never sees it, and its
 * sender sends it again after its RTO (sock_diag shows timer 1 all along,
 * retransmits 1 once it has). Returns 0, or -1 with *err. */
int hold_drop(struct hold *hold, char **err);

/* Releases every held segment, oldest first (not what they cause in turn).
 * Returns how many, or -1 with *err. */
/* The same for the held segment at `index` (hold_peek's numbering): a
 * lesson releases the oldest segment a given side sent. */
int hold_release_at(struct hold *hold, size_t index, char **err);
int hold_drop_at(struct hold *hold, size_t index, char **err);

int hold_release_all(struct hold *hold, char **err);

#endif
