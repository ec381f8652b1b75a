/* capture — the packets on `lo`, decoded, handed out step by step.
 *
 * libpcap reads `lo` of the network namespace the capture was opened in,
 * in immediate mode (each packet readable as soon as the kernel has it),
 * without blocking, keeping the first CAPTURE_SNAPLEN bytes of each frame.
 * Open it after entering the sandbox, and again after renewing it: the
 * packet socket belongs to one namespace. Inside the lab's private user +
 * network namespace an ordinary user may capture (the namespace's creator
 * holds CAP_NET_RAW over it); on the host it takes CAP_NET_RAW, and without
 * it capture_open fails with one line for the student, and the lab goes on.
 *
 * When a step's packets are all in: on loopback the kernel hands a packet
 * to the receiver, and to the capture, in the softirq that runs when the
 * sending call re-enables bottom halves; the reply (a SYN-ACK, an ACK) is
 * sent and received in that same softirq, so a call's packets are normally
 * captured before the call returns. capture_drain does not trust "normally":
 * it reads lo's own packet counter (the kernel counts a packet when it
 * queues it for receipt) and reads the capture until it has seen as many
 * frames as lo has carried, waiting on the capture's fd (not sleeping) at
 * most CAPTURE_SETTLE_LIMIT_US when delivery lags (a softirq handed to
 * ksoftirqd, or receive packet steering on lo that delivers on another CPU).
 * Packets that timers send later (delayed ACKs ~40 ms after,
 * retransmissions, keepalives) belong to whichever drain sees them: each
 * packet carries the kernel's timestamp, so the caller can say "later".
 *
 * Only TCP and UDP over IPv4 and IPv6 are returned (and written to the
 * pcap file); the capture itself keeps every frame, because a kernel filter
 * would hide the frames it rejects from the count that tells when a step
 * is complete. The capture knows nothing of sides: the caller maps the
 * addresses to the client and the server.
 *
 * Use:
 *   capture_open(&capture, &err)            after sandbox_enter, and after
 *                                           each sandbox_renew (free the old
 *                                           one first: it holds its namespace)
 *   capture_file_open(&file, path, &err)    once per run, for --pcap
 *   capture_set_file(capture, file, &err)
 *   after each call:  capture_drain(capture, &batch, &err)
 *   capture_free(capture); capture_file_close(file, &err)
 */
#ifndef SOCKLAB_CAPTURE_H
#define SOCKLAB_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "address.h"
#include "packet_flags.h"
#include "text.h"

/* Bytes kept of each frame: Ethernet (14) + IPv6 (40) + TCP with options
 * (60) leave at least 142 bytes of payload, in the pcap file too. */
#define CAPTURE_SNAPLEN 256
/* Payload bytes shown per packet, escaped. */
#define CAPTURE_PAYLOAD_SHOWN 32
/* The longest capture_drain waits for packets lo counted but the capture
 * has not seen yet (only when delivery lags: see above). */
#define CAPTURE_SETTLE_LIMIT_US 20000

/* One packet as a student reads it. */
struct lab_packet {
	int64_t time_us;                /* kernel timestamp, microseconds since the epoch
	                                   (CLOCK_REALTIME) */
	int family;                     /* AF_INET or AF_INET6 */
	int protocol;                   /* IPPROTO_TCP or IPPROTO_UDP */
	struct sockaddr_storage source;         /* address and port, as the probe reports them */
	struct sockaddr_storage destination;
	struct lab_address source_address; /* the same as values: 127.0.0.1:40000, [::1]:40000 */
	struct lab_address destination_address;
	uint32_t wire_length;           /* IP datagram bytes as sent (headers included) */
	uint32_t payload_length;        /* TCP/UDP payload bytes as sent */
	uint32_t payload_shown;         /* of those, how many `payload` holds (at most
	                                   CAPTURE_PAYLOAD_SHOWN) */
	char payload[CAPTURE_PAYLOAD_SHOWN * 4 + 4];    /* text_escape of the first payload bytes */

	/* TCP only (zero for UDP) */
	uint8_t flag_bits;              /* the header's flag byte: FIN 0x01 SYN 0x02 RST 0x04 PSH
	                                   0x08 ACK 0x10 URG 0x20 ECE 0x40 CWR 0x80 */
	char flags[PACKET_FLAGS_TEXT_MAX];  /* flag_bits named (packet_flags_text): "SYN",
	                                       "SYN-ACK", "PSH-ACK", "none"; "" for UDP */
	uint32_t seq;                   /* relative to the sender's ISN, as Wireshark numbers it:
	                                   the SYN is 0; an end first seen without its SYN
	                                   counts from 1 */
	uint32_t ack;                   /* relative to the receiver's ISN; 0 without the ACK flag */
	uint32_t raw_seq;               /* as on the wire */
	uint32_t raw_ack;
	uint16_t window;                /* the header's field, unscaled */
	uint32_t window_bytes;          /* window << the sender's scale once both SYNs agreed on
	                                   scaling (RFC 7323), else window */
	uint16_t mss;                   /* SYN's MSS option; 0 if none */
	int8_t window_scale;            /* SYN's window scale option; -1 if none */
};

/* The packets of one drain; owned by whoever holds the struct. */
struct capture_batch {
	struct lab_packet *packets;
	size_t count;
	size_t capacity;
	uint64_t other;                 /* frames of other protocols (ICMP, ...):
	                                   counted, not returned */
	uint64_t malformed;             /* frames capture_decode refused */
	uint64_t dropped;               /* frames the kernel dropped (capture buffer full) */
	bool settled;                   /* every packet lo carried so far was seen; false when the
	                                   wait hit CAPTURE_SETTLE_LIMIT_US or a signal */
	uint32_t waited_us;             /* time spent waiting for the kernel (0 normally) */
};

void capture_batch_init(struct capture_batch *batch);
void capture_batch_done(struct capture_batch *batch);   /* frees the array; safe twice */

struct capture;
struct capture_file;

/* Opens the capture on lo of the current network namespace.
 * Returns 0, or -1 with *err (malloc'd); without the right to capture the
 * message begins "packet capture needs a private network namespace or
 * CAP_NET_RAW: ". */
int capture_open(struct capture **out, char **err);
void capture_free(struct capture *capture);             /* safe on NULL; leaves the file open */

/* Keeps only the frames that match a pcap filter expression (e.g. the
 * lesson's ports on the host path, where lo carries other programs'
 * traffic too). Applied in user space, after counting: see above.
 * NULL removes it. Returns 0, or -1 with *err. */
int capture_set_filter(struct capture *capture, const char *expression, char **err);

/* Clears batch, then fills it with the packets captured since the last
 * drain, oldest first, once lo's counter says none is still on its way
 * (see above). Appends each to the capture's file, if any, and flushes it.
 * Returns 0 (settled or not: see batch->settled), or -1 with *err on a
 * capture error or when memory ran out. */
int capture_drain(struct capture *capture, struct capture_batch *batch, char **err);

/* The fd that becomes readable when a frame is waiting, for an event loop
 * that wants to show late packets (a delayed ACK) between steps. */
int capture_selectable_fd(const struct capture *capture);

/* A standard pcap file (what `--pcap FILE` writes): tcpdump and Wireshark
 * read it. It outlives captures, so a run that renews its namespace, and
 * so its capture, keeps one file. "-" is standard output (libpcap's rule).
 * Returns 0, or -1 with *err. */
int capture_file_open(struct capture_file **out, const char *path, char **err);
/* Flushes and closes; returns -1 with *err if any write of the run failed
 * (the file is closed all the same). Safe on NULL. */
int capture_file_close(struct capture_file *file, char **err);

/* Every packet drained from now on is appended to file (not owned: close
 * it only after capture_free, or after setting NULL, which stops).
 * Returns -1 with *err if the capture's link type is not the file's. */
int capture_set_file(struct capture *capture, struct capture_file *file, char **err);

/* The connections seen so far, to number sequences relative to each
 * side's ISN. A fixed table (no allocation per packet); the least recently
 * used connection makes room for a new one. */
struct capture_flows;
struct capture_flows *capture_flows_new(void);          /* NULL when out of memory */
void capture_flows_free(struct capture_flows *flows);   /* safe on NULL */

enum capture_decode_result {
	CAPTURE_DECODED = 0,            /* a TCP or UDP packet: *out is filled */
	CAPTURE_OTHER = 1,              /* a well-formed frame of another protocol (or an IP
	                                   fragment after the first): not ours */
	CAPTURE_MALFORMED = -1,         /* cut before the end of its headers, or inconsistent */
};

/* Decodes one frame of `linktype` (DLT_EN10MB as lo gives, DLT_LINUX_SLL,
 * DLT_LINUX_SLL2, DLT_RAW, DLT_NULL) into out, reading no byte past len,
 * and updates flows with what a TCP segment tells (NULL flows: seq and
 * ack stay as on the wire). Any bytes are safe. time_us is left 0: the
 * frame's bytes do not hold it. */
int capture_decode(const unsigned char *frame, size_t len, int linktype,
		   struct capture_flows *flows, struct lab_packet *out);

#endif
