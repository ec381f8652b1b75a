/* capture — libpcap on lo, a fence on lo's packet counter, and a decoder
 * that trusts no byte (see capture.h).
 *
 * The fence. The kernel's loopback driver counts a packet (rx_packets of
 * lo) when it queues it on the CPU's backlog, before bottom halves run;
 * the packet socket under libpcap receives the packet when that backlog
 * is processed. So once the capture has seen as many frames as lo has
 * counted since the capture began, nothing that was sent before the count
 * was read is still on its way. Frames are counted as they reach
 * capture_frame: libpcap reads each loopback packet twice from the kernel
 * (outgoing, then incoming) and drops the outgoing copy itself, so every
 * lo packet reaches capture_frame exactly once, whatever its protocol.
 * That is why nothing is filtered in the kernel: a kernel filter would
 * drop the frames it rejects before anyone could count them.
 *
 * The counter is read from /proc/self/net/dev (~3 us), which the kernel
 * prints under RCU. RTM_GETSTATS costs the same but takes the RTNL mutex
 * that every network namespace of the host shares, and the kernel holds
 * it while it tears down a namespace, as it does after each
 * sandbox_renew: a drain would wait behind it.
 *
 * Why not a sentinel: a marker packet sent by the controller after the
 * step goes through the controller's CPU backlog, while the step's packets
 * went through the puppet's; per-CPU queues keep no order between them, so
 * the marker's arrival proves nothing about the step. Why not read the
 * capture until its fd polls empty, or ask PACKET_STATISTICS: both tell
 * what the packet socket has received, never what is still queued in
 * front of it. With receive packet steering on lo (rps_cpus), a sendto()
 * returns before the other CPU has delivered the datagram, and nearly
 * every drain finds lo's count ahead of the capture (a test shows it).
 *
 * The decoder reads every length from the frame and checks it against the
 * bytes really captured before reading a field (recorded and random frames
 * are fed to it by the tests).
 */
#include "capture.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "address.h"

#define CAPTURE_LENGTH(array) (sizeof (array) / sizeof (array)[0])

/* Connections remembered for relative numbering. The lab holds a handful;
 * a full table forgets the least recently used one. */
#define FLOW_SLOTS 128
/* The first batch's room; it doubles from there. */
#define BATCH_FIRST_CAPACITY 16

enum {
	ETHERTYPE_IPV4 = 0x0800,
	ETHERTYPE_IPV6 = 0x86dd,
	ETHERTYPE_VLAN = 0x8100,
	ETHERTYPE_QINQ = 0x88a8,
};

enum {
	TCP_FIN = 0x01,
	TCP_SYN = 0x02,
	TCP_RST = 0x04,
	TCP_PSH = 0x08,
	TCP_ACK = 0x10,
	TCP_URG = 0x20,
	TCP_ECE = 0x40,
	TCP_CWR = 0x80,
};

/* ---- relative sequence numbers ---------------------------------------- */

struct flow_end {
	unsigned char address[16];      /* 4 bytes used for IPv4 */
	uint16_t port;
	uint32_t base;                  /* what relative number 0 stands for */
	bool base_known;
	bool saw_syn;
	int8_t window_scale;            /* from this end's SYN; -1 none */
};

struct flow {
	int family;                     /* 0: a free slot */
	struct flow_end end[2];         /* end[0] sent the first segment seen */
	uint64_t last_used;
};

struct capture_flows {
	struct flow flows[FLOW_SLOTS];
	uint64_t clock;                 /* ticks once per segment, for least recently used */
};

struct capture_flows *capture_flows_new(void)
{
	return calloc(1, sizeof(struct capture_flows));
}

void capture_flows_free(struct capture_flows *flows)
{
	free(flows);
}

static bool flow_end_is(const struct flow_end *end, const unsigned char *address,
			size_t address_length, uint16_t port)
{
	return end->port == port && memcmp(end->address, address, address_length) == 0;
}

/* Finds the connection of a segment, or makes room for it. *direction is
 * the index of the sending end. */
static struct flow *flows_find(struct capture_flows *flows, int family, size_t address_length,
			       const unsigned char *source, uint16_t source_port,
			       const unsigned char *destination, uint16_t destination_port,
			       int *direction)
{
	struct flow *room = NULL;
	for (size_t i = 0; i < FLOW_SLOTS; i++) {
		struct flow *flow = &flows->flows[i];
		if (flow->family == family) {
			if (flow_end_is(&flow->end[0], source, address_length, source_port)
			    && flow_end_is(&flow->end[1], destination, address_length,
					   destination_port)) {
				*direction = 0;
				return flow;
			}
			if (flow_end_is(&flow->end[1], source, address_length, source_port)
			    && flow_end_is(&flow->end[0], destination, address_length,
					   destination_port)) {
				*direction = 1;
				return flow;
			}
		}
		if (room == NULL
		    || (room->family != 0
			&& (flow->family == 0 || flow->last_used < room->last_used)))
			room = flow;
	}
	*room = (struct flow){ .family = family };
	memcpy(room->end[0].address, source, address_length);
	room->end[0].port = source_port;
	memcpy(room->end[1].address, destination, address_length);
	room->end[1].port = destination_port;
	room->end[0].window_scale = room->end[1].window_scale = -1;
	*direction = 0;
	return room;
}

static void flow_end_forget(struct flow_end *end)
{
	end->base_known = false;
	end->saw_syn = false;
	end->window_scale = -1;
}

/* Numbers a segment as Wireshark does (packet-tcp.c): a SYN's sequence
 * number is its end's ISN, relative 0; an end first seen without its SYN
 * starts at relative 1 (base = seq - 1), and an end not seen yet takes its
 * base from the first acknowledgement of it (base = ack - 1). A SYN with
 * another ISN than the one known is a new connection on the same ports
 * (after TIME-WAIT): both ends start over. */
static void flow_number(struct flow *flow, int direction, struct lab_packet *packet)
{
	struct flow_end *sender = &flow->end[direction];
	struct flow_end *receiver = &flow->end[!direction];
	bool syn = packet->flag_bits & TCP_SYN;
	bool ack = packet->flag_bits & TCP_ACK;

	if (syn && sender->base_known && packet->raw_seq != sender->base) {
		flow_end_forget(sender);
		if (!ack)
			flow_end_forget(receiver);
	}
	if (!sender->base_known) {
		sender->base = syn ? packet->raw_seq : packet->raw_seq - 1;
		sender->base_known = true;
	}
	if (ack && !receiver->base_known) {
		receiver->base = packet->raw_ack - 1;
		receiver->base_known = true;
	}
	if (syn) {
		sender->saw_syn = true;
		sender->window_scale = packet->window_scale;
	}
	packet->seq = packet->raw_seq - sender->base;
	packet->ack = ack ? packet->raw_ack - receiver->base : 0;
	packet->window_bytes = packet->window;
	/* RFC 7323: scaling holds once both SYNs carried the option, and
	 * never for the window in a SYN itself. */
	if (!syn && sender->saw_syn && receiver->saw_syn && sender->window_scale >= 0
	    && receiver->window_scale >= 0)
		packet->window_bytes = (uint32_t)packet->window
			<< (sender->window_scale > 14 ? 14 : sender->window_scale);
}

/* ---- decoding ----------------------------------------------------------- */

static uint16_t read16(const unsigned char *bytes)
{
	return (uint16_t)(bytes[0] << 8 | bytes[1]);
}

static uint32_t read32(const unsigned char *bytes)
{
	return (uint32_t)bytes[0] << 24 | (uint32_t)bytes[1] << 16 | (uint32_t)bytes[2] << 8
		| bytes[3];
}

/* Where a link layer puts the IP header, and what it says is there. */
struct link_view {
	size_t offset;
	uint16_t ethertype;             /* 0: the IP version nibble tells */
};

static int link_ethernet(const unsigned char *frame, size_t len, struct link_view *view)
{
	size_t at = 12;
	if (len < 14)
		return CAPTURE_MALFORMED;
	uint16_t type = read16(frame + at);
	/* 802.1Q / 802.1ad tags: lo has none, a recorded file may. */
	for (int tags = 0; tags < 2 && (type == ETHERTYPE_VLAN || type == ETHERTYPE_QINQ); tags++) {
		at += 4;
		if (len < at + 2)
			return CAPTURE_MALFORMED;
		type = read16(frame + at);
	}
	*view = (struct link_view){ .offset = at + 2, .ethertype = type };
	return CAPTURE_DECODED;
}

static int link_linux_cooked(const unsigned char *frame, size_t len, struct link_view *view)
{
	if (len < 16)
		return CAPTURE_MALFORMED;
	*view = (struct link_view){ .offset = 16, .ethertype = read16(frame + 14) };
	return CAPTURE_DECODED;
}

static int link_linux_cooked2(const unsigned char *frame, size_t len, struct link_view *view)
{
	if (len < 20)
		return CAPTURE_MALFORMED;
	*view = (struct link_view){ .offset = 20, .ethertype = read16(frame) };
	return CAPTURE_DECODED;
}

static int link_raw(const unsigned char *frame, size_t len, struct link_view *view)
{
	(void)frame;
	(void)len;
	*view = (struct link_view){ .offset = 0 };
	return CAPTURE_DECODED;
}

/* BSD loopback: a 4-byte address family, in either byte order depending
 * on the writer; the IP version nibble is more reliable. */
static int link_bsd_loopback(const unsigned char *frame, size_t len, struct link_view *view)
{
	(void)frame;
	if (len < 4)
		return CAPTURE_MALFORMED;
	*view = (struct link_view){ .offset = 4 };
	return CAPTURE_DECODED;
}

static const struct link_layer {
	int linktype;
	int (*read)(const unsigned char *frame, size_t len, struct link_view *view);
} link_layers[] = {
	{ DLT_EN10MB, link_ethernet },          /* what Linux gives for lo */
	{ DLT_LINUX_SLL, link_linux_cooked },   /* the "any" device */
	{ DLT_LINUX_SLL2, link_linux_cooked2 },
	{ DLT_RAW, link_raw },
	{ DLT_IPV4, link_raw },
	{ DLT_IPV6, link_raw },
	{ DLT_NULL, link_bsd_loopback },
	{ DLT_LOOP, link_bsd_loopback },
};

/* The network layer's answer. */
struct ip_view {
	int family;
	size_t address_length;
	const unsigned char *source;
	const unsigned char *destination;
	uint8_t protocol;
	size_t transport_offset;        /* in the frame */
	uint32_t transport_length;      /* transport header + payload, as sent */
	uint32_t wire_length;           /* the whole IP datagram, as sent */
};

static int read_ipv4(const unsigned char *frame, size_t len, size_t at, struct ip_view *ip)
{
	if (len - at < 20)
		return CAPTURE_MALFORMED;
	const unsigned char *header = frame + at;
	size_t header_length = (header[0] & 0x0fu) * 4u;
	uint16_t total_length = read16(header + 2);
	if (header[0] >> 4 != 4 || header_length < 20 || len - at < header_length
	    || total_length < header_length)
		return CAPTURE_MALFORMED;
	*ip = (struct ip_view){
		.family = AF_INET,
		.address_length = 4,
		.source = header + 12,
		.destination = header + 16,
		.protocol = header[9],
		.transport_offset = at + header_length,
		.transport_length = total_length - (uint32_t)header_length,
		.wire_length = total_length,
	};
	/* A fragment after the first holds no transport header. Loopback's
	 * MTU (65536) fits any TCP segment or UDP datagram, so the lab never
	 * makes one. */
	if (read16(header + 6) & 0x1fff)
		return CAPTURE_OTHER;
	return CAPTURE_DECODED;
}

/* IPv6 extension headers that may stand before TCP or UDP, with how each
 * states its length: ((length_field ? byte 1 : 0) + add) * unit bytes. */
static const struct ipv6_extension {
	uint8_t next_header;
	bool length_field;
	uint8_t add;
	uint8_t unit;
} ipv6_extensions[] = {
	{ 0, true, 1, 8 },      /* hop-by-hop options */
	{ 43, true, 1, 8 },     /* routing */
	{ 44, false, 1, 8 },    /* fragment: always 8 bytes */
	{ 51, true, 2, 4 },     /* authentication header (RFC 4302) */
	{ 60, true, 1, 8 },     /* destination options */
};

enum { IPV6_FRAGMENT = 44, IPV6_EXTENSIONS_MAX = 8 };

static const struct ipv6_extension *ipv6_extension_find(uint8_t next_header)
{
	for (size_t i = 0; i < CAPTURE_LENGTH(ipv6_extensions); i++)
		if (ipv6_extensions[i].next_header == next_header)
			return &ipv6_extensions[i];
	return NULL;
}

static int read_ipv6(const unsigned char *frame, size_t len, size_t at, struct ip_view *ip)
{
	if (len - at < 40)
		return CAPTURE_MALFORMED;
	const unsigned char *header = frame + at;
	if (header[0] >> 4 != 6)
		return CAPTURE_MALFORMED;
	uint32_t payload_length = read16(header + 4);
	uint8_t next_header = header[6];
	size_t offset = at + 40;
	uint32_t used = 0;
	bool later_fragment = false;

	const struct ipv6_extension *extension;
	for (int count = 0; (extension = ipv6_extension_find(next_header)) != NULL; count++) {
		if (count == IPV6_EXTENSIONS_MAX || len - offset < 2)
			return CAPTURE_MALFORMED;
		const unsigned char *bytes = frame + offset;
		uint32_t length = ((extension->length_field ? bytes[1] : 0u) + extension->add)
			* extension->unit;
		if (len - offset < length || payload_length - used < length)
			return CAPTURE_MALFORMED;
		if (next_header == IPV6_FRAGMENT && (read16(bytes + 2) & 0xfff8))
			later_fragment = true;
		next_header = bytes[0];
		offset += length;
		used += length;
	}
	*ip = (struct ip_view){
		.family = AF_INET6,
		.address_length = 16,
		.source = header + 8,
		.destination = header + 24,
		.protocol = next_header,
		.transport_offset = offset,
		.transport_length = payload_length - used,
		.wire_length = 40 + payload_length,
	};
	return later_fragment ? CAPTURE_OTHER : CAPTURE_DECODED;
}

static void fill_address(struct sockaddr_storage *storage, const struct ip_view *ip,
			 const unsigned char *address, uint16_t port)
{
	memset(storage, 0, sizeof *storage);
	if (ip->family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)storage;
		in->sin_family = AF_INET;
		in->sin_port = htons(port);
		memcpy(&in->sin_addr, address, 4);
	} else {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)storage;
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(port);
		memcpy(&in6->sin6_addr, address, 16);
	}
}

enum { TCP_OPTION_END = 0, TCP_OPTION_NOP = 1, TCP_OPTION_MSS = 2, TCP_OPTION_WINDOW_SCALE = 3 };

/* Reads MSS and window scale from the options between 20 and header_length. */
static void tcp_read_options(const unsigned char *header, size_t header_length,
			     struct lab_packet *packet)
{
	size_t at = 20;
	while (at < header_length) {
		uint8_t kind = header[at];
		if (kind == TCP_OPTION_END)
			break;
		if (kind == TCP_OPTION_NOP) {
			at++;
			continue;
		}
		if (header_length - at < 2)
			break;
		uint8_t length = header[at + 1];
		if (length < 2 || length > header_length - at)
			break;
		if (kind == TCP_OPTION_MSS && length == 4)
			packet->mss = read16(header + at + 2);
		else if (kind == TCP_OPTION_WINDOW_SCALE && length == 3)
			packet->window_scale = (int8_t)(header[at + 2] > 14 ? 14 : header[at + 2]);
		at += length;
	}
}

/* Fills the transport part; returns where the payload starts in the frame. */
static int read_tcp(const unsigned char *frame, size_t len, const struct ip_view *ip,
		    struct lab_packet *packet, size_t *payload_offset)
{
	size_t at = ip->transport_offset;
	if (len - at < 20 || ip->transport_length < 20)
		return CAPTURE_MALFORMED;
	const unsigned char *header = frame + at;
	size_t header_length = (header[12] >> 4) * 4u;
	if (header_length < 20 || header_length > ip->transport_length || len - at < header_length)
		return CAPTURE_MALFORMED;
	packet->protocol = IPPROTO_TCP;
	fill_address(&packet->source, ip, ip->source, read16(header));
	fill_address(&packet->destination, ip, ip->destination, read16(header + 2));
	packet->raw_seq = read32(header + 4);
	packet->raw_ack = read32(header + 8);
	packet->flag_bits = header[13];
	packet->window = read16(header + 14);
	packet->window_scale = -1;
	if (packet->flag_bits & TCP_SYN)
		tcp_read_options(header, header_length, packet);
	packet_flags_text(IPPROTO_TCP, packet->flag_bits, packet->flags, sizeof packet->flags);
	packet->payload_length = ip->transport_length - (uint32_t)header_length;
	*payload_offset = at + header_length;
	return CAPTURE_DECODED;
}

static int read_udp(const unsigned char *frame, size_t len, const struct ip_view *ip,
		    struct lab_packet *packet, size_t *payload_offset)
{
	size_t at = ip->transport_offset;
	if (len - at < 8 || ip->transport_length < 8)
		return CAPTURE_MALFORMED;
	const unsigned char *header = frame + at;
	uint16_t udp_length = read16(header + 4);
	if (udp_length < 8 || udp_length > ip->transport_length)
		return CAPTURE_MALFORMED;
	packet->protocol = IPPROTO_UDP;
	fill_address(&packet->source, ip, ip->source, read16(header));
	fill_address(&packet->destination, ip, ip->destination, read16(header + 2));
	packet->payload_length = udp_length - 8u;
	packet->window_scale = -1;
	*payload_offset = at + 8;
	return CAPTURE_DECODED;
}

int capture_decode(const unsigned char *frame, size_t len, int linktype,
		   struct capture_flows *flows, struct lab_packet *out)
{
	memset(out, 0, sizeof *out);
	out->window_scale = -1;
	if (frame == NULL)
		return CAPTURE_MALFORMED;

	const struct link_layer *link = NULL;
	for (size_t i = 0; i < CAPTURE_LENGTH(link_layers); i++)
		if (link_layers[i].linktype == linktype)
			link = &link_layers[i];
	if (link == NULL)
		return CAPTURE_MALFORMED;
	struct link_view view;
	int result = link->read(frame, len, &view);
	if (result != CAPTURE_DECODED)
		return result;
	if (view.offset >= len)
		return CAPTURE_MALFORMED;

	/* The link layer's word first; without one, the version nibble. */
	unsigned version = frame[view.offset] >> 4;
	if (view.ethertype == ETHERTYPE_IPV4)
		version = 4;
	else if (view.ethertype == ETHERTYPE_IPV6)
		version = 6;
	else if (view.ethertype != 0)
		return CAPTURE_OTHER;   /* ARP and the like */
	struct ip_view ip;
	if (version == 4)
		result = read_ipv4(frame, len, view.offset, &ip);
	else if (version == 6)
		result = read_ipv6(frame, len, view.offset, &ip);
	else
		return CAPTURE_MALFORMED;
	if (result != CAPTURE_DECODED)
		return result;

	out->family = ip.family;
	out->wire_length = ip.wire_length;
	size_t payload_offset = 0;
	if (ip.protocol == IPPROTO_TCP)
		result = read_tcp(frame, len, &ip, out, &payload_offset);
	else if (ip.protocol == IPPROTO_UDP)
		result = read_udp(frame, len, &ip, out, &payload_offset);
	else
		result = CAPTURE_OTHER;
	if (result != CAPTURE_DECODED) {
		int family = out->family;
		memset(out, 0, sizeof *out);
		out->family = family;
		out->window_scale = -1;
		return result;
	}

	size_t captured = payload_offset < len ? len - payload_offset : 0;
	size_t shown = out->payload_length < captured ? out->payload_length : captured;
	if (shown > CAPTURE_PAYLOAD_SHOWN)
		shown = CAPTURE_PAYLOAD_SHOWN;
	out->payload_shown = (uint32_t)shown;
	text_escape(frame + payload_offset, shown, out->payload, sizeof out->payload);
	lab_address_from_sockaddr((const struct sockaddr *)&out->source, sizeof out->source,
				  &out->source_address);
	lab_address_from_sockaddr((const struct sockaddr *)&out->destination,
				  sizeof out->destination, &out->destination_address);

	if (out->protocol == IPPROTO_TCP && flows != NULL) {
		const unsigned char *transport = frame + ip.transport_offset;
		int direction;
		struct flow *flow = flows_find(flows, ip.family, ip.address_length,
					       ip.source, read16(transport),
					       ip.destination, read16(transport + 2), &direction);
		flow->last_used = ++flows->clock;
		flow_number(flow, direction, out);
	} else if (out->protocol == IPPROTO_TCP) {
		out->seq = out->raw_seq;
		out->ack = out->flag_bits & TCP_ACK ? out->raw_ack : 0;
		out->window_bytes = out->window;
	}
	return CAPTURE_DECODED;
}

/* ---- batches ------------------------------------------------------------ */

void capture_batch_init(struct capture_batch *batch)
{
	*batch = (struct capture_batch){ 0 };
}

void capture_batch_done(struct capture_batch *batch)
{
	free(batch->packets);
	capture_batch_init(batch);
}

/* Room for one more packet at packets[count]; NULL when memory ran out. */
static struct lab_packet *batch_room(struct capture_batch *batch)
{
	if (batch->count == batch->capacity) {
		size_t capacity = batch->capacity ? batch->capacity * 2 : BATCH_FIRST_CAPACITY;
		struct lab_packet *packets =
			reallocarray(batch->packets, capacity, sizeof *packets);
		if (packets == NULL)
			return NULL;
		batch->packets = packets;
		batch->capacity = capacity;
	}
	return &batch->packets[batch->count];
}

/* ---- pcap files --------------------------------------------------------- */

struct capture_file {
	pcap_t *format;                 /* a dead handle: link type and snap length of the file */
	pcap_dumper_t *dumper;
	char *path;
	int write_errno;                /* the first failed write, 0 if none */
};

int capture_file_open(struct capture_file **out, const char *path, char **err)
{
	*out = NULL;
	struct capture_file *file = calloc(1, sizeof *file);
	if (file == NULL || (file->path = strdup(path)) == NULL) {
		free(file);
		return text_error(err, "pcap file %s: out of memory", path);
	}
	/* lo on Linux: Ethernet headers of zeros, as the live capture gives. */
	file->format = pcap_open_dead(DLT_EN10MB, CAPTURE_SNAPLEN);
	if (file->format == NULL) {
		free(file->path);
		free(file);
		return text_error(err, "pcap file %s: out of memory", path);
	}
	file->dumper = pcap_dump_open(file->format, path);
	if (file->dumper == NULL) {
		text_error(err, "pcap file: %s", pcap_geterr(file->format));
		pcap_close(file->format);
		free(file->path);
		free(file);
		return -1;
	}
	/* The header now: a file that cannot be written (a full disk,
	 * /dev/full) is said before the run, not found empty after it. */
	if (pcap_dump_flush(file->dumper) == -1) {
		int error = errno ? errno : EIO;
		capture_file_close(file, NULL);
		return text_error(err, "pcap file %s: %s", path, strerror(error));
	}
	*out = file;
	return 0;
}

/* Returns -1 when a write failed (first failure in write_errno). */
static int file_flush(struct capture_file *file)
{
	if (pcap_dump_flush(file->dumper) == -1 && file->write_errno == 0)
		file->write_errno = errno ? errno : EIO;
	return file->write_errno ? -1 : 0;
}

int capture_file_close(struct capture_file *file, char **err)
{
	if (file == NULL)
		return 0;
	file_flush(file);
	if (ferror(pcap_dump_file(file->dumper)) && file->write_errno == 0)
		file->write_errno = EIO;
	int write_errno = file->write_errno;
	pcap_dump_close(file->dumper);
	pcap_close(file->format);
	int result = 0;
	if (write_errno != 0)
		result = text_error(err, "pcap file %s: %s", file->path, strerror(write_errno));
	free(file->path);
	free(file);
	return result;
}

/* ---- the live capture --------------------------------------------------- */

struct capture {
	pcap_t *handle;
	int linktype;
	int counters_fd;                /* /proc/self/net/dev of the capture's namespace */
	uint64_t lo_base;               /* lo's counter minus what was seen, so far */
	uint64_t frames_seen;           /* frames handed to capture_frame */
	uint64_t drops_seen;            /* frames the kernel reported dropped */
	unsigned int last_ps_drop;      /* libpcap's running total, to take differences */
	struct bpf_program filter;
	bool has_filter;
	struct capture_flows *flows;
	struct capture_file *file;      /* not owned */
	struct capture_batch *batch;    /* during a drain: where capture_frame appends */
	bool out_of_memory;
};

/* Reads lo's packet counter: packets it has queued for receipt since the
 * namespace began (on lo rx_packets == tx_packets). The file is the one
 * `ifconfig` and `netstat -i` read; the kernel prints lo first in every
 * namespace (it registers lo before any other device):
 *     "    lo: <rx bytes> <rx packets> <rx errors> ..." */
static int capture_read_lo_counter(struct capture *capture, uint64_t *packets, char **err)
{
	char text[2048];
	ssize_t got;
	do
		got = pread(capture->counters_fd, text, sizeof text - 1, 0);
	while (got == -1 && errno == EINTR);
	if (got == -1)
		return text_error(err, "packet capture: reading /proc/self/net/dev: %s",
				  strerror(errno));
	text[got] = '\0';

	char *next;
	for (char *line = text; (next = strchr(line, '\n')) != NULL; line = next + 1) {
		*next = '\0';
		char *colon = strchr(line, ':');
		char *name = line + strspn(line, " ");
		if (colon == NULL || colon - name != 2 || strncmp(name, "lo", 2) != 0)
			continue;
		char *bytes_end, *packets_end;
		strtoull(colon + 1, &bytes_end, 10);
		uint64_t value = strtoull(bytes_end, &packets_end, 10);
		if (bytes_end == colon + 1 || packets_end == bytes_end)
			break;
		*packets = value;
		return 0;
	}
	return text_error(err, "packet capture: no counter for lo in /proc/self/net/dev");
}

/* Why a capture could not start, in words a student can act on. */
static int capture_refusal(pcap_t *handle, int status, char **err)
{
	const char *detail = pcap_geterr(handle);
	if (detail == NULL || detail[0] == '\0')
		detail = pcap_statustostr(status);
	if (status == PCAP_ERROR_PERM_DENIED)
		return text_error(
			err, "packet capture needs a private network namespace or CAP_NET_RAW: %s",
			detail);
	return text_error(err, "packet capture on lo: %s", detail);
}

int capture_open(struct capture **out, char **err)
{
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	*out = NULL;
	struct capture *capture = calloc(1, sizeof *capture);
	if (capture == NULL)
		return text_error(err, "packet capture: out of memory");
	capture->counters_fd = -1;
	capture->flows = capture_flows_new();
	if (capture->flows == NULL) {
		capture_free(capture);
		return text_error(err, "packet capture: out of memory");
	}

	capture->handle = pcap_create("lo", errbuf);
	if (capture->handle == NULL) {
		capture_free(capture);
		return text_error(err, "packet capture on lo: %s", errbuf);
	}
	/* Immediate mode: libpcap then uses a TPACKET_V2 ring, where each
	 * frame is readable as soon as the kernel writes it (V3 hands out
	 * whole blocks, after a timeout). */
	if (pcap_set_snaplen(capture->handle, CAPTURE_SNAPLEN) != 0 ||
	    pcap_set_immediate_mode(capture->handle, 1) != 0) {
		capture_free(capture);
		return text_error(
			err, "packet capture on lo: cannot set the snap length or immediate mode");
	}
	int status = pcap_activate(capture->handle);
	if (status < 0) {
		capture_refusal(capture->handle, status, err);
		capture_free(capture);
		return -1;
	}
	if (pcap_setnonblock(capture->handle, 1, errbuf) == -1) {
		capture_free(capture);
		return text_error(err, "packet capture on lo: %s", errbuf);
	}
	capture->linktype = pcap_datalink(capture->handle);

	/* /proc/self/net follows the opener's network namespace, and the
	 * open file stays with it. */
	capture->counters_fd = open("/proc/self/net/dev", O_RDONLY | O_CLOEXEC);
	if (capture->counters_fd == -1) {
		text_error(err, "packet capture: open /proc/self/net/dev: %s", strerror(errno));
		capture_free(capture);
		return -1;
	}
	/* Read after activation: a packet counted here that reaches the
	 * capture anyway is one frame seen too many, which never makes a
	 * drain wait; read before, a packet that passed before the capture
	 * began would be awaited forever. */
	if (capture_read_lo_counter(capture, &capture->lo_base, err) == -1) {
		capture_free(capture);
		return -1;
	}
	*out = capture;
	return 0;
}

void capture_free(struct capture *capture)
{
	if (capture == NULL)
		return;
	if (capture->handle != NULL)
		pcap_close(capture->handle);
	if (capture->counters_fd != -1)
		close(capture->counters_fd);
	if (capture->has_filter)
		pcap_freecode(&capture->filter);
	capture_flows_free(capture->flows);
	free(capture);
}

int capture_set_filter(struct capture *capture, const char *expression, char **err)
{
	struct bpf_program program;
	if (expression != NULL &&
	    pcap_compile(capture->handle, &program, expression, 1, PCAP_NETMASK_UNKNOWN) == -1)
		return text_error(err, "packet filter \"%s\": %s", expression,
				  pcap_geterr(capture->handle));
	if (capture->has_filter)
		pcap_freecode(&capture->filter);
	capture->has_filter = expression != NULL;
	if (capture->has_filter)
		capture->filter = program;
	return 0;
}

int capture_set_file(struct capture *capture, struct capture_file *file, char **err)
{
	if (file != NULL && pcap_datalink(file->format) != capture->linktype)
		return text_error(err, "pcap file %s: lo gives link type %s, the file holds %s",
				  file->path, pcap_datalink_val_to_name(capture->linktype),
				  pcap_datalink_val_to_name(pcap_datalink(file->format)));
	capture->file = file;
	return 0;
}

int capture_selectable_fd(const struct capture *capture)
{
	return pcap_get_selectable_fd(capture->handle);
}

/* libpcap's callback: one frame, counted whatever it holds. */
static void capture_frame(u_char *user, const struct pcap_pkthdr *header, const u_char *bytes)
{
	struct capture *capture = (struct capture *)user;
	struct capture_batch *batch = capture->batch;
	capture->frames_seen++;
	if (capture->has_filter && !pcap_offline_filter(&capture->filter, header, bytes)) {
		batch->other++;
		return;
	}
	struct lab_packet *packet = batch_room(batch);
	if (packet == NULL) {
		capture->out_of_memory = true;
		return;
	}
	int result =
		capture_decode(bytes, header->caplen, capture->linktype, capture->flows, packet);
	if (result == CAPTURE_OTHER) {
		batch->other++;
	} else if (result == CAPTURE_MALFORMED) {
		batch->malformed++;
	} else {
		packet->time_us = (int64_t)header->ts.tv_sec * 1000000 + header->ts.tv_usec;
		batch->count++;
		if (capture->file != NULL)
			pcap_dump((u_char *)capture->file->dumper, header, bytes);
	}
}

/* Takes up the frames the kernel dropped (its buffer was full) as seen:
 * they will never arrive. */
static int capture_count_drops(struct capture *capture, struct capture_batch *batch, char **err)
{
	struct pcap_stat statistics;
	if (pcap_stats(capture->handle, &statistics) == -1)
		return text_error(err, "packet capture: %s", pcap_geterr(capture->handle));
	unsigned int new_drops = statistics.ps_drop - capture->last_ps_drop;   /* modulo 2^32 */
	capture->last_ps_drop = statistics.ps_drop;
	capture->drops_seen += new_drops;
	batch->dropped += new_drops;
	return 0;
}

static int64_t monotonic_us(void)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (int64_t)now.tv_sec * 1000000 + now.tv_nsec / 1000;
}

enum wait_result { WAIT_ERROR = -1, WAIT_READY, WAIT_TIMEOUT, WAIT_INTERRUPTED };

/* Waits for the next frame, at most left_us. */
static enum wait_result capture_wait(struct capture *capture, int64_t left_us, char **err)
{
	struct pollfd ready = { .fd = pcap_get_selectable_fd(capture->handle), .events = POLLIN };
	struct timespec timeout = { .tv_sec = left_us / 1000000,
				    .tv_nsec = (left_us % 1000000) * 1000 };
	int result = ppoll(&ready, 1, &timeout, NULL);
	if (result == -1 && errno == EINTR)
		return WAIT_INTERRUPTED;
	if (result == -1) {
		text_error(err, "packet capture: poll: %s", strerror(errno));
		return WAIT_ERROR;
	}
	return result > 0 ? WAIT_READY : WAIT_TIMEOUT;
}

int capture_drain(struct capture *capture, struct capture_batch *batch, char **err)
{
	batch->count = 0;
	batch->other = batch->malformed = batch->dropped = 0;
	batch->settled = false;
	batch->waited_us = 0;

	uint64_t carried;
	if (capture_read_lo_counter(capture, &carried, err) == -1)
		return -1;
	uint64_t target = carried - capture->lo_base;

	capture->batch = batch;
	capture->out_of_memory = false;
	int64_t wait_began = 0;
	int result = 0;
	/* Nothing new on lo costs only the counter: the capture's buffer can
	 * hold no frame lo has not counted. */
	while (capture->frames_seen + capture->drops_seen < target) {
		if (pcap_dispatch(capture->handle, -1, capture_frame, (u_char *)capture) == -1) {
			result =
				text_error(err, "packet capture: %s", pcap_geterr(capture->handle));
			break;
		}
		if (capture->frames_seen + capture->drops_seen >= target)
			break;
		if ((result = capture_count_drops(capture, batch, err)) == -1)
			break;
		if (capture->frames_seen + capture->drops_seen >= target)
			break;

		/* Still short: the kernel deferred its softirq (to ksoftirqd)
		 * or another CPU is delivering. Wait for the capture's fd. */
		int64_t now = monotonic_us();
		if (wait_began == 0)
			wait_began = now;
		int64_t left = CAPTURE_SETTLE_LIMIT_US - (now - wait_began);
		enum wait_result waited =
			left > 0 ? capture_wait(capture, left, err) : WAIT_TIMEOUT;
		if (waited == WAIT_ERROR)
			result = -1;
		if (waited == WAIT_TIMEOUT) {
			/* lo counted frames this capture will never get (sent
			 * before it began, or lost): stop waiting for them. */
			capture->lo_base += target - (capture->frames_seen + capture->drops_seen);
		}
		if (waited != WAIT_READY)
			break;
	}
	batch->settled = capture->frames_seen + capture->drops_seen >= target;
	if (wait_began != 0)
		batch->waited_us = (uint32_t)(monotonic_us() - wait_began);
	capture->batch = NULL;

	if (capture->file != NULL && batch->count > 0 && file_flush(capture->file) < 0
	    && result == 0)
		result = text_error(err, "pcap file %s: %s", capture->file->path,
				    strerror(capture->file->write_errno));
	if (result == 0 && capture->out_of_memory)
		result = text_error(err, "packet capture: out of memory for the step's packets");
	return result;
}
