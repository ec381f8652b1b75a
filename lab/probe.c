/* probe — sock_diag dumps turned into a snapshot of sockets (see probe.h).
 *
 * One request per (family, protocol) the caller asks for, all on one
 * netlink socket, all received into one buffer allocated with the probe:
 * a step's whole budget is about 50 us, so nothing here allocates per call
 * except when the snapshot array has to grow.
 *
 * The parser trusts nothing it reads: every length is checked against the
 * bytes that are really there before a struct is read (recorded dumps are
 * fed to it by the tests and by a fuzzer).
 */
#include "probe.h"
#include "states.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>

/* Kernel state numbers that <netinet/tcp.h> stops short of. */
enum {
	STATE_NEW_SYN_RECV = 12,        /* a request socket (the kernel reports it as SYN-RECV) */
	STATE_BOUND_INACTIVE = 13,      /* only a request bit: such sockets are
	                                   reported as TCP_CLOSE */
};

/* Every TCP state, 1 .. 12. Never ~0: unknown bits may select costly walks
 * (bit 13 already walks the global bind hash). */
#define STATES_ALL_TCP (((1u << (STATE_NEW_SYN_RECV + 1)) - 1) & ~1u)

/* 32 KiB: the kernel never puts more than this into one dump datagram
 * (netlink caps its dump skb at 32 KiB), so one receive never truncates. */
#define RECEIVE_BUFFER_SIZE 32768u

struct probe {
	struct mnl_socket *netlink;     /* NETLINK_SOCK_DIAG, in the netns of probe_open */
	unsigned int port_id;           /* our netlink address, checked on every reply */
	unsigned int sequence;          /* of the request in flight */
	char buffer[RECEIVE_BUFFER_SIZE];       /* every dump is received here */
};

/* One dump per row; `what` says which bit of probe_what asks for it. The
 * replies do not name their protocol (inet_diag_msg has no field for it and
 * the kernel adds no INET_DIAG_PROTOCOL for TCP or UDP): the row does. */
struct probe_dump {
	unsigned int what;
	uint8_t family;                 /* AF_UNSPEC: either inet family */
	uint8_t protocol;               /* 0 for unix_diag */
	int type;                       /* inet: the socket type of `protocol` */
};

static const struct probe_dump probe_dumps[] = {
	{ .what = PROBE_TCP4, .family = AF_INET, .protocol = IPPROTO_TCP, .type = SOCK_STREAM },
	{ .what = PROBE_TCP6, .family = AF_INET6, .protocol = IPPROTO_TCP, .type = SOCK_STREAM },
	{ .what = PROBE_UDP4, .family = AF_INET, .protocol = IPPROTO_UDP, .type = SOCK_DGRAM },
	{ .what = PROBE_UDP6, .family = AF_INET6, .protocol = IPPROTO_UDP, .type = SOCK_DGRAM },
	{ .what = PROBE_UNIX, .family = AF_UNIX, .protocol = 0 },
};

/* probe_parse_dump's inet layout: TCP of either family. */
static const struct probe_dump any_tcp_dump = {
	.what = PROBE_TCP4 | PROBE_TCP6,
	.family = AF_UNSPEC,
	.protocol = IPPROTO_TCP,
	.type = SOCK_STREAM,
};

/* An exact lookup of a v4-mapped address ([::ffff:127.0.0.1]) finds the
 * IPv4 socket with that 4-tuple: its reply may be of either family. */
static const struct probe_dump any_udp_dump = {
	.what = PROBE_UDP4 | PROBE_UDP6,
	.family = AF_UNSPEC,
	.protocol = IPPROTO_UDP,
	.type = SOCK_DGRAM,
};

static void set_error(char **err, const char *format, ...)
	__attribute__((format(printf, 2, 3)));

/* The callee writes the message; if even that allocation fails the caller
 * still gets -1, with *err left NULL. */
static void set_error(char **err, const char *format, ...)
{
	va_list arguments;

	if (err == NULL)
		return;
	free(*err);
	*err = NULL;
	va_start(arguments, format);
	if (vasprintf(err, format, arguments) < 0)
		*err = NULL;
	va_end(arguments);
}

int probe_open(struct probe **out, char **err)
{
	struct probe *probe;

	*out = NULL;
	probe = calloc(1, sizeof(*probe));
	if (probe == NULL) {
		set_error(err, "probe: out of memory");
		return -1;
	}
	/* SOCK_CLOEXEC: the puppets are forked after the probe is open and
	 * must not inherit a view of the namespace. */
	probe->netlink = mnl_socket_open2(NETLINK_SOCK_DIAG, SOCK_CLOEXEC);
	if (probe->netlink == NULL) {
		set_error(err, "probe: socket(AF_NETLINK, NETLINK_SOCK_DIAG): %s", strerror(errno));
		free(probe);
		return -1;
	}
	if (mnl_socket_bind(probe->netlink, 0, MNL_SOCKET_AUTOPID) < 0) {
		set_error(err, "probe: bind(AF_NETLINK): %s", strerror(errno));
		mnl_socket_close(probe->netlink);
		free(probe);
		return -1;
	}
	probe->port_id = mnl_socket_get_portid(probe->netlink);
	*out = probe;
	return 0;
}

void probe_free(struct probe *probe)
{
	if (probe == NULL)
		return;
	mnl_socket_close(probe->netlink);
	free(probe);
}

void probe_snapshot_clear(struct probe_snapshot *snap)
{
	snap->count = 0;
}

void probe_snapshot_done(struct probe_snapshot *snap)
{
	free(snap->sockets);
	snap->sockets = NULL;
	snap->count = 0;
	snap->capacity = 0;
}

/* A zeroed slot at the end of snap, or NULL when memory runs out. */
static struct probe_socket *snapshot_append(struct probe_snapshot *snap, char **err)
{
	struct probe_socket *grown;
	size_t capacity;

	if (snap->count == snap->capacity) {
		capacity = snap->capacity ? snap->capacity * 2 : 32;
		if (capacity > SIZE_MAX / sizeof(*grown)) {
			set_error(err, "probe: too many sockets");
			return NULL;
		}
		grown = realloc(snap->sockets, capacity * sizeof(*grown));
		if (grown == NULL) {
			set_error(err, "probe: out of memory for %zu sockets", capacity);
			return NULL;
		}
		snap->sockets = grown;
		snap->capacity = capacity;
	}
	memset(&snap->sockets[snap->count], 0, sizeof(snap->sockets[0]));
	return &snap->sockets[snap->count++];
}

/* ---- parsing ---------------------------------------------------------- */

/* What the walk over one buffer carries from message to message. */
struct parse_context {
	const struct probe_dump *dump;  /* the request the buffer answers */
	struct probe_snapshot *snap;
	char **err;
};

/* How one attribute type must look and where it goes; types without a row
 * (unknown or newer ones included) are skipped. */
struct attribute_rule {
	enum mnl_attr_data_type data_type;      /* MNL_TYPE_UNSPEC: no row */
	size_t length;                          /* exact payload length; 0: from data_type */
	int (*read)(struct probe_socket *socket, const struct nlattr *attribute);
};

/* Abstract names start with a NUL and may hold more: show them all as '@',
 * as ss does, so the name reads as a string of the same length. Pathname
 * names carry their own NUL. A name may fill all of sun_path, so the
 * terminating NUL can land past it, still inside the sockaddr_storage. */
static int unix_read_name(struct probe_socket *socket, const struct nlattr *attribute)
{
	size_t length = mnl_attr_get_payload_len(attribute);
	char *path = (char *)&socket->local + offsetof(struct sockaddr_un, sun_path);
	size_t i;

	if (length > sizeof(((struct sockaddr_un *)NULL)->sun_path))
		return -1;
	memcpy(path, mnl_attr_get_payload(attribute), length);
	path[length] = '\0';
	if (length > 0 && path[0] == '\0') {
		for (i = 0; i < length; i++) {
			if (path[i] == '\0')
				path[i] = '@';
		}
	}
	return 0;
}

static int unix_read_peer(struct probe_socket *socket, const struct nlattr *attribute)
{
	socket->peer_inode = mnl_attr_get_u32(attribute);
	return 0;
}

/* LISTEN: the accept queue length and the backlog; otherwise bytes. */
static int unix_read_queues(struct probe_socket *socket, const struct nlattr *attribute)
{
	const struct unix_diag_rqlen *queues = mnl_attr_get_payload(attribute);

	socket->recv_queue = queues->udiag_rqueue;
	socket->send_queue = queues->udiag_wqueue;
	return 0;
}

static int unix_read_uid(struct probe_socket *socket, const struct nlattr *attribute)
{
	socket->uid = mnl_attr_get_u32(attribute);
	return 0;
}

static const struct attribute_rule unix_attribute_rules[] = {
	[UNIX_DIAG_NAME] = { .data_type = MNL_TYPE_BINARY, .read = unix_read_name },
	[UNIX_DIAG_PEER] = { .data_type = MNL_TYPE_U32, .read = unix_read_peer },
	[UNIX_DIAG_RQLEN] = { .data_type = MNL_TYPE_BINARY,
			      .length = sizeof(struct unix_diag_rqlen),
			      .read = unix_read_queues },
	[UNIX_DIAG_UID] = { .data_type = MNL_TYPE_U32, .read = unix_read_uid },
};

/* Reads one attribute through its rule; -1 when it is malformed. */
static int attribute_read(struct probe_socket *socket, const struct nlattr *attribute,
			  const struct attribute_rule *rules, size_t rule_count)
{
	uint16_t type = mnl_attr_get_type(attribute);
	const struct attribute_rule *rule;
	int valid;

	if (type >= rule_count || rules[type].data_type == MNL_TYPE_UNSPEC)
		return 0;
	rule = &rules[type];
	if (rule->length != 0)
		valid = mnl_attr_validate2(attribute, rule->data_type, rule->length) == 0;
	else
		valid = mnl_attr_validate(attribute, rule->data_type) == 0;
	if (!valid)
		return -1;
	return rule->read(socket, attribute);
}

/* Walks the attributes after a message's fixed body. The walk is bounded by
 * nlmsg_len exactly (mnl_attr_parse rounds it up to 4 and could read past a
 * buffer cut short), and the attributes must fill the message: bytes that
 * make no attribute mean it is not what the kernel sends. Each attribute
 * the probe reads is checked with mnl_attr_validate. */
static int parse_attributes(const struct nlmsghdr *message, size_t body_size,
			    struct probe_socket *socket, const struct attribute_rule *rules,
			    size_t rule_count, char **err)
{
	const char *at = (const char *)mnl_nlmsg_get_payload(message) + body_size;
	size_t remaining = mnl_nlmsg_get_payload_len(message) - body_size;
	const struct nlattr *attribute;
	size_t step;

	while (remaining >= sizeof(*attribute)) {
		attribute = (const struct nlattr *)at;
		if (attribute->nla_len < sizeof(*attribute) || attribute->nla_len > remaining)
			break;
		if (attribute_read(socket, attribute, rules, rule_count) < 0) {
			set_error(err,
				  "probe: malformed attribute %u (%u bytes) in a sock_diag message",
				  mnl_attr_get_type(attribute), attribute->nla_len);
			return -1;
		}
		/* The last attribute may lack its alignment padding. */
		step = MNL_ALIGN(attribute->nla_len);
		step = step < remaining ? step : remaining;
		at += step;
		remaining -= step;
	}
	if (remaining > 0) {
		set_error(err, "probe: %zu bytes after the attributes of a sock_diag message",
			  remaining);
		return -1;
	}
	return 0;
}

static void inet_fill_address(struct sockaddr_storage *storage, int family,
			      uint16_t port_network_order, const uint32_t address[4],
			      uint32_t interface)
{
	struct sockaddr_in *inet4 = (struct sockaddr_in *)storage;
	struct sockaddr_in6 *inet6 = (struct sockaddr_in6 *)storage;

	if (family == AF_INET) {
		inet4->sin_family = AF_INET;
		inet4->sin_port = port_network_order;
		memcpy(&inet4->sin_addr, &address[0], sizeof(inet4->sin_addr));
		return;
	}
	inet6->sin6_family = AF_INET6;
	inet6->sin6_port = port_network_order;
	memcpy(&inet6->sin6_addr, address, sizeof(inet6->sin6_addr));
	/* A link-local address means nothing without its interface. */
	if (IN6_IS_ADDR_LINKLOCAL(&inet6->sin6_addr))
		inet6->sin6_scope_id = interface;
}

/* A record of another family than the request's is not from this dump. */
static int check_family(const struct parse_context *context, int family)
{
	if (family == context->dump->family ||
	    (context->dump->family == AF_UNSPEC && (family == AF_INET || family == AF_INET6)))
		return 0;
	set_error(context->err,
		  "probe: a sock_diag record of address family %d in a dump of family %d", family,
		  context->dump->family);
	return -1;
}

static int parse_inet_socket(const struct nlmsghdr *message, struct parse_context *context)
{
	const struct inet_diag_msg *diag = mnl_nlmsg_get_payload(message);
	struct probe_socket socket = { 0 };
	struct probe_socket *slot;

	if (mnl_nlmsg_get_payload_len(message) < sizeof(*diag)) {
		set_error(context->err, "probe: an inet_diag message of %u bytes is too short",
			  message->nlmsg_len);
		return -1;
	}
	if (check_family(context, diag->idiag_family) < 0)
		return -1;
	/* No attribute is read (no extension is asked for), but the walk
	 * still proves the message well formed. */
	if (parse_attributes(message, sizeof(*diag), &socket, NULL, 0, context->err) < 0)
		return -1;
	/* The record does not name its protocol: the request does. */
	socket.family = diag->idiag_family;
	socket.type = context->dump->type;
	socket.protocol = context->dump->protocol;
	socket.state = diag->idiag_state;
	inet_fill_address(&socket.local, socket.family, diag->id.idiag_sport, diag->id.idiag_src,
			  diag->id.idiag_if);
	inet_fill_address(&socket.peer, socket.family, diag->id.idiag_dport, diag->id.idiag_dst,
			  diag->id.idiag_if);
	socket.inode = diag->idiag_inode;
	socket.recv_queue = diag->idiag_rqueue;
	socket.send_queue = diag->idiag_wqueue;
	socket.uid = diag->idiag_uid;
	socket.timer = diag->idiag_timer;
	socket.timer_ms = diag->idiag_expires;
	socket.retransmits = diag->idiag_retrans;
	socket.cookie =
		(uint64_t)diag->id.idiag_cookie[0] | (uint64_t)diag->id.idiag_cookie[1] << 32;

	slot = snapshot_append(context->snap, context->err);
	if (slot == NULL)
		return -1;
	*slot = socket;
	return 1;
}

static int parse_unix_socket(const struct nlmsghdr *message, struct parse_context *context)
{
	const struct unix_diag_msg *diag = mnl_nlmsg_get_payload(message);
	struct probe_socket socket = { 0 };
	struct probe_socket *slot;

	if (mnl_nlmsg_get_payload_len(message) < sizeof(*diag)) {
		set_error(context->err, "probe: a unix_diag message of %u bytes is too short",
			  message->nlmsg_len);
		return -1;
	}
	if (check_family(context, diag->udiag_family) < 0)
		return -1;
	socket.family = AF_UNIX;
	socket.type = diag->udiag_type;
	socket.state = diag->udiag_state;
	/* An unbound socket gets no UNIX_DIAG_NAME: its name stays "". */
	socket.local.ss_family = AF_UNIX;
	socket.inode = diag->udiag_ino;
	socket.cookie = (uint64_t)diag->udiag_cookie[0] | (uint64_t)diag->udiag_cookie[1] << 32;
	if (parse_attributes(message, sizeof(*diag), &socket, unix_attribute_rules,
			     sizeof(unix_attribute_rules) / sizeof(unix_attribute_rules[0]),
			     context->err) < 0)
		return -1;

	slot = snapshot_append(context->snap, context->err);
	if (slot == NULL)
		return -1;
	*slot = socket;
	return 1;
}

static int parse_socket(const struct nlmsghdr *message, struct parse_context *context)
{
	if (context->dump->family == AF_UNIX)
		return parse_unix_socket(message, context);
	return parse_inet_socket(message, context);
}

/* A kernel error number as text; anything outside errno's range is a
 * malformed message, not an error to print. */
static int error_from_code(int code, struct parse_context *context, const char *where)
{
	if (code >= 0 || code < -4095) {
		set_error(context->err, "probe: %s carries error code %d", where, code);
		return -1;
	}
	set_error(context->err, "probe: sock_diag: %s", strerror(-code));
	return -1;
}

static int parse_error(const struct nlmsghdr *message, struct parse_context *context)
{
	const struct nlmsgerr *error = mnl_nlmsg_get_payload(message);

	if (mnl_nlmsg_get_payload_len(message) < sizeof(*error)) {
		set_error(context->err, "probe: an NLMSG_ERROR of %u bytes is too short",
			  message->nlmsg_len);
		return -1;
	}
	/* Error 0 is an acknowledgement: the request is complete. */
	if (error->error == 0)
		return 0;
	return error_from_code(error->error, context, "NLMSG_ERROR");
}

/* NLMSG_DONE carries the dump's own result: negative when the kernel gave
 * up part way (then the sockets before it are not the whole story). */
static int parse_done(const struct nlmsghdr *message, struct parse_context *context)
{
	const int *result = mnl_nlmsg_get_payload(message);

	if (mnl_nlmsg_get_payload_len(message) < sizeof(*result) || *result >= 0)
		return 0;
	return error_from_code(*result, context, "NLMSG_DONE");
}

static int parse_noop(const struct nlmsghdr *message, struct parse_context *context)
{
	(void)message;
	(void)context;
	return 1;
}

static int parse_overrun(const struct nlmsghdr *message, struct parse_context *context)
{
	(void)message;
	set_error(context->err, "probe: the kernel dropped part of the dump (NLMSG_OVERRUN)");
	return -1;
}

typedef int (*message_parser)(const struct nlmsghdr *message, struct parse_context *context);

/* Each returns 1 to go on, 0 when the dump is complete, -1 on error. */
static const message_parser message_parsers[] = {
	[NLMSG_NOOP] = parse_noop,
	[NLMSG_ERROR] = parse_error,
	[NLMSG_DONE] = parse_done,
	[NLMSG_OVERRUN] = parse_overrun,
	[SOCK_DIAG_BY_FAMILY] = parse_socket,
};

/* The row of one PROBE_* bit, or NULL. */
static const struct probe_dump *dump_of_kind(unsigned int kind)
{
	size_t i;

	for (i = 0; i < sizeof(probe_dumps) / sizeof(probe_dumps[0]); i++) {
		if (probe_dumps[i].what == kind)
			return &probe_dumps[i];
	}
	return NULL;
}

/* The walk behind probe_parse_dump. `sequence` 0 accepts any message;
 * otherwise messages of an earlier request (left over when a dump was
 * abandoned on error) are skipped, so they can never be taken for this one. */
static int parse_messages(const void *buffer, size_t length, const struct probe_dump *dump,
			  unsigned int sequence, unsigned int port_id, struct probe_snapshot *snap,
			  char **err)
{
	struct parse_context context = { .dump = dump, .snap = snap, .err = err };
	const char *bytes = buffer;
	const struct nlmsghdr *message;
	size_t offset = 0;
	size_t step;
	int status;

	if ((uintptr_t)buffer % NLMSG_ALIGNTO != 0) {
		set_error(err, "probe: a dump buffer must be aligned to %d bytes", NLMSG_ALIGNTO);
		return -1;
	}
	while (length - offset >= sizeof(*message)) {
		message = (const struct nlmsghdr *)(bytes + offset);
		/* Not mnl_nlmsg_ok: it compares nlmsg_len as an int, so a length
		 * of 2 GiB or more would pass and send the walk out of bounds. */
		if (message->nlmsg_len < sizeof(*message) || message->nlmsg_len > length - offset)
			break;
		if (!mnl_nlmsg_portid_ok(message, port_id)) {
			set_error(err, "probe: a netlink message for port %u, not ours (%u)",
				  message->nlmsg_pid, port_id);
			return -1;
		}
		/* The last message may lack its alignment padding. */
		step = NLMSG_ALIGN(message->nlmsg_len);
		offset += step < length - offset ? step : length - offset;
		if (!mnl_nlmsg_seq_ok(message, sequence))
			continue;
		if (message->nlmsg_type >= sizeof(message_parsers) / sizeof(message_parsers[0]) ||
		    message_parsers[message->nlmsg_type] == NULL) {
			set_error(err, "probe: unexpected netlink message type %u",
				  message->nlmsg_type);
			return -1;
		}
		status = message_parsers[message->nlmsg_type](message, &context);
		if (status <= 0)
			return status;
	}
	/* The kernel sends whole messages: bytes that do not make one mean the
	 * buffer was cut or is not a dump. */
	if (offset < length) {
		set_error(err, "probe: %zu bytes at offset %zu are not a whole netlink message",
			  length - offset, offset);
		return -1;
	}
	return 1;
}

int probe_parse_dump(const void *buf, size_t len, int unix_dump, struct probe_snapshot *snap,
		     char **err)
{
	const struct probe_dump *dump = unix_dump ? dump_of_kind(PROBE_UNIX) : &any_tcp_dump;

	return parse_messages(buf, len, dump, 0, 0, snap, err);
}

int probe_parse_dump_kind(const void *buf, size_t len, unsigned kind, struct probe_snapshot *snap,
			  char **err)
{
	const struct probe_dump *dump = dump_of_kind(kind);

	if (dump == NULL) {
		set_error(err, "probe: %#x names no single dump (PROBE_TCP4 .. PROBE_UNIX)", kind);
		return -1;
	}
	return parse_messages(buf, len, dump, 0, 0, snap, err);
}

/* ---- requests --------------------------------------------------------- */

/* TCP's state mask: 1..12, and the bind-hash walk only when asked. */
static uint32_t dump_states(const struct probe_dump *dump, unsigned int what)
{
	uint32_t states = STATES_ALL_TCP;

	if (dump->protocol == IPPROTO_TCP && (what & PROBE_BOUND_INACTIVE))
		states |= 1u << STATE_BOUND_INACTIVE;
	if (dump->protocol == IPPROTO_TCP && (what & PROBE_SKIP_LISTEN))
		states &= ~(1u << TCP_LISTEN);
	return states;
}

/* Builds the request for one dump in `request` (large enough for either
 * layout); returns its header. No extension is asked for: inode, queues,
 * timer and uid all come in the base inet_diag_msg. */
static struct nlmsghdr *dump_request(void *request, const struct probe_dump *dump,
				     unsigned int what, unsigned int sequence)
{
	struct nlmsghdr *header = mnl_nlmsg_put_header(request);
	struct inet_diag_req_v2 *inet_request;
	struct unix_diag_req *unix_request;

	header->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	header->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	header->nlmsg_seq = sequence;
	if (dump->family == AF_UNIX) {
		unix_request = mnl_nlmsg_put_extra_header(header, sizeof(*unix_request));
		unix_request->sdiag_family = AF_UNIX;
		unix_request->udiag_states = dump_states(dump, what);
		unix_request->udiag_show = UDIAG_SHOW_NAME | UDIAG_SHOW_PEER | UDIAG_SHOW_RQLEN |
					   UDIAG_SHOW_UID;
		return header;
	}
	inet_request = mnl_nlmsg_put_extra_header(header, sizeof(*inet_request));
	inet_request->sdiag_family = dump->family;
	inet_request->sdiag_protocol = dump->protocol;
	inet_request->idiag_states = dump_states(dump, what);
	return header;
}

/* A dump abandoned part way (a malformed reply, no memory for the snapshot)
 * still runs in the kernel, which answers the next request with EBUSY until
 * this one is read to its end. Each read makes the kernel fill the next
 * datagram at once, so an empty queue means the dump is over. */
static void probe_drain(struct probe *probe)
{
	ssize_t received;

	for (;;) {
		received = recv(mnl_socket_get_fd(probe->netlink), probe->buffer,
				sizeof(probe->buffer), MSG_DONTWAIT);
		if (received < 0 && errno == EINTR)
			continue;
		if (received <= 0)
			return;
	}
}

/* Sends one request and parses its replies into snap until NLMSG_DONE. */
static int probe_run_dump(struct probe *probe, const struct probe_dump *dump, unsigned int what,
			  struct probe_snapshot *snap, char **err)
{
	/* Room for the header and the larger request; nlmsghdr alignment. */
	uint32_t request[(NLMSG_HDRLEN + sizeof(struct inet_diag_req_v2)
			  + sizeof(struct unix_diag_req))
			 / sizeof(uint32_t)] = { 0 };
	struct nlmsghdr *header;
	ssize_t received;
	int status = 1;

	/* Never 0: mnl_nlmsg_seq_ok takes 0 as "any". */
	if (++probe->sequence == 0)
		probe->sequence = 1;
	header = dump_request(request, dump, what, probe->sequence);
	if (mnl_socket_sendto(probe->netlink, header, header->nlmsg_len) < 0) {
		set_error(err, "probe: sending the sock_diag request: %s", strerror(errno));
		return -1;
	}
	do {
		received =
			mnl_socket_recvfrom(probe->netlink, probe->buffer, sizeof(probe->buffer));
		if (received < 0) {
			if (errno == EINTR)
				continue;
			set_error(err, "probe: receiving the sock_diag dump: %s", strerror(errno));
			probe_drain(probe);
			return -1;
		}
		status = parse_messages(probe->buffer, (size_t)received, dump, probe->sequence,
					probe->port_id, snap, err);
	} while (received < 0 || status == 1);
	if (status < 0)
		probe_drain(probe);
	return status;
}

int probe_snapshot(struct probe *probe, unsigned what, struct probe_snapshot *snap, char **err)
{
	size_t i;

	probe_snapshot_clear(snap);
	for (i = 0; i < sizeof(probe_dumps) / sizeof(probe_dumps[0]); i++) {
		if (!(what & probe_dumps[i].what))
			continue;
		if (probe_run_dump(probe, &probe_dumps[i], what, snap, err) < 0) {
			/* Half a snapshot would show sockets that are not there. */
			probe_snapshot_clear(snap);
			return -1;
		}
	}
	return 0;
}

/* ---- exact requests ------------------------------------------------------ */

/* Requests sent in one datagram; each gets exactly one reply datagram
 * (the socket, or an NLMSG_ERROR), as no NLM_F_ACK is asked for. */
#define LOOKUP_BATCH 32
/* Room for one reply: a socket (inet_diag_msg, or unix_diag_msg with a
 * name of at most 108 bytes and three small attributes) or an error that
 * quotes the request; LOOKUP_BATCH of them fill the receive buffer. */
#define LOOKUP_REPLY_MAX (RECEIVE_BUFFER_SIZE / LOOKUP_BATCH)
_Static_assert(LOOKUP_REPLY_MAX >= 512, "room for a reply");

int probe_key_of(const struct probe_socket *socket, struct probe_key *key)
{
	memset(key, 0, sizeof(*key));
	if (socket->family == AF_UNIX) {
		key->kind = PROBE_UNIX;
		key->inode = socket->inode;
		key->cookie = socket->cookie;
		return socket->inode ? 0 : -1;
	}
	if ((socket->protocol != IPPROTO_TCP && socket->protocol != IPPROTO_UDP)
	    || (socket->family != AF_INET && socket->family != AF_INET6))
		return -1;
	if (socket->protocol == IPPROTO_TCP)
		key->kind = socket->family == AF_INET ? PROBE_TCP4 : PROBE_TCP6;
	else
		key->kind = socket->family == AF_INET ? PROBE_UDP4 : PROBE_UDP6;
	key->local = socket->local;
	key->peer = socket->peer;
	key->cookie = socket->cookie;
	return 0;
}

static void key_address(const struct sockaddr_storage *storage, __be16 *port, __be32 address[4])
{
	const struct sockaddr_in *inet4 = (const struct sockaddr_in *)storage;
	const struct sockaddr_in6 *inet6 = (const struct sockaddr_in6 *)storage;

	if (storage->ss_family == AF_INET) {
		*port = inet4->sin_port;
		memcpy(&address[0], &inet4->sin_addr, sizeof(inet4->sin_addr));
	} else if (storage->ss_family == AF_INET6) {
		*port = inet6->sin6_port;
		memcpy(address, &inet6->sin6_addr, sizeof(inet6->sin6_addr));
	}
}

static bool key_has_peer(const struct probe_key *key)
{
	__be16 port = 0;
	__be32 address[4];

	key_address(&key->peer, &port, address);
	return port != 0;
}

static uint16_t peer_port_of(const struct probe_socket *socket)
{
	__be16 port = 0;
	__be32 address[4];

	key_address(&socket->peer, &port, address);
	return port;
}

/* Appends the request for one key to `at`; returns its length. */
static size_t lookup_request(void *at, const struct probe_key *key, bool with_cookie,
			     unsigned int sequence)
{
	struct nlmsghdr *header = mnl_nlmsg_put_header(at);
	uint32_t cookie[2] = { INET_DIAG_NOCOOKIE, INET_DIAG_NOCOOKIE };

	if (with_cookie && key->cookie != 0) {
		cookie[0] = (uint32_t)key->cookie;
		cookie[1] = (uint32_t)(key->cookie >> 32);
	}
	header->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	header->nlmsg_flags = NLM_F_REQUEST;
	header->nlmsg_seq = sequence;
	if (key->kind == PROBE_UNIX) {
		struct unix_diag_req *request =
			mnl_nlmsg_put_extra_header(header, sizeof(*request));
		request->sdiag_family = AF_UNIX;
		request->udiag_states = ~0u;
		request->udiag_ino = key->inode;
		request->udiag_show =
			UDIAG_SHOW_NAME | UDIAG_SHOW_PEER | UDIAG_SHOW_RQLEN | UDIAG_SHOW_UID;
		request->udiag_cookie[0] = cookie[0];
		request->udiag_cookie[1] = cookie[1];
		return NLMSG_ALIGN(header->nlmsg_len);
	}
	const struct probe_dump *dump = dump_of_kind(key->kind);
	struct inet_diag_req_v2 *request = mnl_nlmsg_put_extra_header(header, sizeof(*request));
	request->sdiag_family = dump->family;
	request->sdiag_protocol = dump->protocol;
	request->idiag_states = STATES_ALL_TCP;
	/* udp_dump_one looks the socket up as for a datagram from `src` to
	 * `dst`: the other way round from TCP's lookup ("swapped for
	 * historical reasons", says the kernel). */
	bool swapped = dump->protocol == IPPROTO_UDP;
	key_address(swapped ? &key->peer : &key->local, &request->id.idiag_sport,
		    request->id.idiag_src);
	key_address(swapped ? &key->local : &key->peer, &request->id.idiag_dport,
		    request->id.idiag_dst);
	request->id.idiag_cookie[0] = cookie[0];
	request->id.idiag_cookie[1] = cookie[1];
	return NLMSG_ALIGN(header->nlmsg_len);
}

/* One reply datagram of a batch that asked for keys[0 .. count) under
 * sequence numbers first ..: the socket goes into snap. Returns 1 when it
 * answers one of the keys, 0 when it is left over from an earlier
 * request, -1 on a malformed reply or an error other than "not there". */
static int lookup_reply(struct probe *probe, const struct probe_key *keys, size_t count,
			unsigned int first, const void *reply, size_t length, bool *stale,
			bool *crossed, struct probe_snapshot *snap, char **err)
{
	const struct nlmsghdr *message = reply;
	if (length < sizeof(*message) || message->nlmsg_seq < first
	    || message->nlmsg_seq >= first + count)
		return 0;
	size_t index = message->nlmsg_seq - first;
	if (message->nlmsg_type == NLMSG_ERROR && length >= NLMSG_HDRLEN + sizeof(int)) {
		const struct nlmsgerr *error = mnl_nlmsg_get_payload(message);
		/* Not there (any more), or there as another socket. */
		if (error->error == -ENOENT)
			return 1;
		if (error->error == -ESTALE && stale) {
			stale[index] = true;
			return 1;
		}
	}
	size_t before = snap->count;
	unsigned int kind = keys[index].kind;
	const struct probe_dump *dump = kind & (PROBE_TCP4 | PROBE_TCP6)   ? &any_tcp_dump
					: kind & (PROBE_UDP4 | PROBE_UDP6) ? &any_udp_dump
									   : dump_of_kind(kind);
	if (parse_messages(reply, length, dump, message->nlmsg_seq, probe->port_id, snap, err) < 0)
		return -1;
	/* The lookup falls back to a socket of the local port with no peer
	 * (TCP's listener, an unconnected UDP socket) when no connection has
	 * the 4-tuple: that is not the socket asked for (the other has a key
	 * of its own). */
	if (snap->count > before && keys[index].kind != PROBE_UNIX && key_has_peer(&keys[index])
	    && !peer_port_of(&snap->sockets[snap->count - 1]))
		snap->count = before;
	/* A v4-mapped key finds the IPv4 socket of the 4-tuple, an IPv4 key
	 * a dual-stack IPv6 one: a socket that may answer its own key too. */
	if (snap->count > before) {
		bool asked_ipv6 = kind & (PROBE_TCP6 | PROBE_UDP6);
		*crossed |= asked_ipv6 != (snap->sockets[snap->count - 1].family == AF_INET6);
	}
	return 1;
}

/* Drops the sockets of snap from `from` on that an earlier one is (same
 * cookie), keeping the first: for lookups that crossed families. */
static void drop_repeats(struct probe_snapshot *snap, size_t from)
{
	size_t kept = from;
	for (size_t i = from; i < snap->count; i++) {
		bool seen = false;
		uint64_t cookie = snap->sockets[i].cookie;
		for (size_t k = from; k < kept && !seen; k++)
			seen = cookie && snap->sockets[k].cookie == cookie;
		if (!seen)
			snap->sockets[kept++] = snap->sockets[i];
	}
	snap->count = kept;
}

/* Asks for keys[0 .. count) (count <= LOOKUP_BATCH); keys whose cookie is
 * stale are marked in `stale` for a second round. */
static int lookup_batch(struct probe *probe, const struct probe_key *keys, size_t count,
			bool with_cookie, bool *stale, bool *crossed, struct probe_snapshot *snap,
			char **err)
{
	enum { REQUEST_MAX = NLMSG_HDRLEN + sizeof(struct inet_diag_req_v2) };
	uint32_t requests[LOOKUP_BATCH * REQUEST_MAX / sizeof(uint32_t)];
	size_t length = 0;
	unsigned int first;

	if (probe->sequence > UINT32_MAX - 2 * LOOKUP_BATCH)
		probe->sequence = 0;
	first = probe->sequence + 1;
	probe->sequence += (unsigned int)count;
	for (size_t i = 0; i < count; i++)
		length += lookup_request((char *)requests + length, &keys[i], with_cookie,
					 first + (unsigned int)i);
	if (mnl_socket_sendto(probe->netlink, requests, length) < 0) {
		set_error(err, "probe: sending the sock_diag requests: %s", strerror(errno));
		return -1;
	}
	/* The kernel answers every request of the datagram before sendto()
	 * returns, so one recvmmsg() mostly takes every reply. */
	struct mmsghdr replies[LOOKUP_BATCH];
	struct iovec slots[LOOKUP_BATCH];
	struct sockaddr_nl senders[LOOKUP_BATCH];
	size_t answered = 0;
	while (answered < count) {
		memset(replies, 0, sizeof(replies));
		for (size_t i = 0; i < LOOKUP_BATCH; i++) {
			slots[i] = (struct iovec){ .iov_base = probe->buffer + i * LOOKUP_REPLY_MAX,
						   .iov_len = LOOKUP_REPLY_MAX };
			replies[i].msg_hdr = (struct msghdr){ .msg_iov = &slots[i], .msg_iovlen = 1,
							      .msg_name = &senders[i],
							      .msg_namelen = sizeof(senders[i]) };
		}
		int received = recvmmsg(mnl_socket_get_fd(probe->netlink), replies,
					(unsigned int)(count - answered), MSG_WAITFORONE, NULL);
		if (received < 0) {
			if (errno == EINTR)
				continue;
			set_error(err, "probe: receiving a sock_diag reply: %s", strerror(errno));
			return -1;
		}
		for (int i = 0; i < received; i++) {
			if ((replies[i].msg_hdr.msg_flags & MSG_TRUNC) || senders[i].nl_pid != 0) {
				set_error(err, "probe: a sock_diag reply %s",
					  senders[i].nl_pid != 0 ? "not from the kernel"
								 : "larger than expected");
				return -1;
			}
			int status = lookup_reply(probe, keys, count, first, slots[i].iov_base,
						  replies[i].msg_len, stale, crossed, snap, err);
			if (status < 0)
				return -1;
			answered += (size_t)status;
		}
	}
	return 0;
}

int probe_lookup(struct probe *probe, const struct probe_key *keys, size_t count,
		 struct probe_snapshot *snap, char **err)
{
	size_t before = snap->count;
	bool crossed = false;
	for (size_t at = 0; at < count; at += LOOKUP_BATCH) {
		size_t batch = count - at < LOOKUP_BATCH ? count - at : LOOKUP_BATCH;
		bool stale[LOOKUP_BATCH] = { false };
		if (lookup_batch(probe, keys + at, batch, true, stale, &crossed, snap, err) < 0)
			return -1;
		for (size_t i = 0; i < batch; i++)
			if (stale[i]
			    && lookup_batch(probe, keys + at + i, 1, false, NULL, &crossed, snap,
					    err) < 0)
				return -1;
	}
	if (crossed)
		drop_repeats(snap, before);
	return 0;
}

/* ---- names ------------------------------------------------------------ */

const char *probe_state_name(int state, int type)
{
	return states_name(state, type);
}

const char *probe_socket_state_name(const struct probe_socket *socket)
{
	if (socket->state == TCP_CLOSE) {
		/* unix_diag reports every unix socket that is neither listening
		 * nor connected as TCP_CLOSE, stream ones included. */
		if (socket->family == AF_UNIX)
			return "UNCONN";
		/* inet_diag lists a TCP socket in TCP_CLOSE only from the bind
		 * hash walk (state bit 13), and reports it as TCP_CLOSE. */
		if (socket->protocol == IPPROTO_TCP)
			return states_name(STATE_BOUND_INACTIVE, socket->type);
	}
	return probe_state_name(socket->state, socket->type);
}
