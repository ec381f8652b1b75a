/* netlink_text — netlink messages as strace prints them (see netlink_text.h). */
#include "netlink_text.h"

#include <arpa/inet.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "text.h"

#define COUNT(rows) (sizeof rows / sizeof rows[0])

/* Payload bytes shown of a type without a decoder, and of a string attribute. */
#define SHOWN_PAYLOAD 16

/* A text being built in a fixed buffer (text_append cuts it with "..."). */
struct out {
	char *text;
	size_t size, at;
};

#define PUT(o, ...) text_append((o)->text, (o)->size, &(o)->at, __VA_ARGS__)

/* ---- names ---- */

struct flag_row {
	unsigned value;
	const char *name;
};

#define FLAG(value_) { value_, #value_ }

/* The meaning of nlmsg_flags' high byte depends on the request's kind. */
enum flag_kind { FLAGS_PLAIN, FLAGS_NEW, FLAGS_DELETE, FLAGS_GET, FLAGS_ACK, FLAG_KIND_COUNT };

static const struct flag_row base_flags[] = {
	FLAG(NLM_F_REQUEST), FLAG(NLM_F_MULTI), FLAG(NLM_F_ACK), FLAG(NLM_F_ECHO),
	FLAG(NLM_F_DUMP_INTR), FLAG(NLM_F_DUMP_FILTERED),
};
static const struct flag_row new_flags[] = {
	FLAG(NLM_F_REPLACE), FLAG(NLM_F_EXCL), FLAG(NLM_F_CREATE), FLAG(NLM_F_APPEND),
};
static const struct flag_row delete_flags[] = {
	FLAG(NLM_F_NONREC),
#ifdef NLM_F_BULK
	FLAG(NLM_F_BULK),
#endif
};
/* NLM_F_DUMP first: it is NLM_F_ROOT|NLM_F_MATCH, and the name the C library's request uses. */
static const struct flag_row get_flags[] = {
	FLAG(NLM_F_DUMP), FLAG(NLM_F_ROOT), FLAG(NLM_F_MATCH), FLAG(NLM_F_ATOMIC),
};
static const struct flag_row ack_flags[] = { FLAG(NLM_F_CAPPED), FLAG(NLM_F_ACK_TLVS) };

static const struct {
	const struct flag_row *rows;
	size_t count;
} kind_flags[FLAG_KIND_COUNT] = {
	[FLAGS_NEW] = { new_flags, COUNT(new_flags) },
	[FLAGS_DELETE] = { delete_flags, COUNT(delete_flags) },
	[FLAGS_GET] = { get_flags, COUNT(get_flags) },
	[FLAGS_ACK] = { ack_flags, COUNT(ack_flags) },
};

static const char *const family_names[] = {
	[AF_UNSPEC] = "AF_UNSPEC", [AF_UNIX] = "AF_UNIX", [AF_INET] = "AF_INET",
	[AF_INET6] = "AF_INET6", [AF_NETLINK] = "AF_NETLINK", [AF_PACKET] = "AF_PACKET",
	[AF_BRIDGE] = "AF_BRIDGE", [AF_MPLS] = "AF_MPLS",
};

static const char *const scope_names[256] = {
	[RT_SCOPE_UNIVERSE] = "RT_SCOPE_UNIVERSE", [RT_SCOPE_SITE] = "RT_SCOPE_SITE",
	[RT_SCOPE_LINK] = "RT_SCOPE_LINK", [RT_SCOPE_HOST] = "RT_SCOPE_HOST",
	[RT_SCOPE_NOWHERE] = "RT_SCOPE_NOWHERE",
};

static const struct flag_row address_flags[] = {
	FLAG(IFA_F_SECONDARY), FLAG(IFA_F_NODAD), FLAG(IFA_F_OPTIMISTIC), FLAG(IFA_F_DADFAILED),
	FLAG(IFA_F_HOMEADDRESS), FLAG(IFA_F_DEPRECATED), FLAG(IFA_F_TENTATIVE),
	FLAG(IFA_F_PERMANENT),
};

/* The names of the bits of *value that `rows` has, "|" between, taking them off *value. */
static void put_flags(struct out *o, const struct flag_row *rows, size_t count, unsigned *value,
		      bool *any)
{
	for (size_t i = 0; i < count; i++)
		if ((*value & rows[i].value) == rows[i].value) {
			PUT(o, "%s%s", *any ? "|" : "", rows[i].name);
			*value &= ~rows[i].value;
			*any = true;
		}
}

/* "A|B|0x40" from two tables; "0" when empty. */
static void put_flag_set(struct out *o, const struct flag_row *rows, size_t count, unsigned value,
			 const struct flag_row *more, size_t more_count)
{
	bool any = false;
	if (value == 0) {
		PUT(o, "0");
		return;
	}
	put_flags(o, rows, count, &value, &any);
	put_flags(o, more, more_count, &value, &any);
	if (value)
		PUT(o, "%s%#x", any ? "|" : "", value);
}

static void put_name(struct out *o, const char *const *names, size_t count, unsigned value)
{
	if (value < count && names[value])
		PUT(o, "%s", names[value]);
	else
		PUT(o, "%u", value);
}

/* Bytes as put_bytes in syscalls.c does, `cut` adding "..." after them. */
static void put_bytes(struct out *o, const unsigned char *bytes, size_t len, bool cut)
{
	char shown[SHOWN_PAYLOAD * 4 + 1];
	size_t show = len < SHOWN_PAYLOAD ? len : SHOWN_PAYLOAD;
	text_escape(bytes, show, shown, sizeof shown);
	PUT(o, "\"%s\"%s", shown, show < len || cut ? "..." : "");
}

/* ---- payloads ---- */

/* A payload: `len` bytes at hand, `cut` when the message had more. */
struct payload {
	const unsigned char *bytes;
	size_t len;
	bool cut;
	int protocol;
};

typedef void payload_printer(struct out *o, const struct payload *p);

struct type_row {
	const char *name;
	payload_printer *print;        /* NULL: the payload is shown as bytes */
	enum flag_kind flags;
};

static uint32_t u32_at(const unsigned char *bytes)
{
	uint32_t value;
	memcpy(&value, bytes, sizeof value);
	return value;
}

static uint16_t u16_at(const unsigned char *bytes)
{
	uint16_t value;
	memcpy(&value, bytes, sizeof value);
	return value;
}

/* An address attribute: text when its length fits the family, else bytes. */
static void put_attr_address(struct out *o, int family, const unsigned char *data, size_t len)
{
	char text[INET6_ADDRSTRLEN];
	bool fits = (family == AF_INET && len == 4) || (family == AF_INET6 && len == 16);
	if (fits && inet_ntop(family, data, text, sizeof text))
		PUT(o, "%s", text);
	else
		put_bytes(o, data, len, false);
}

/* A string attribute: up to its NUL. */
static void put_attr_string(struct out *o, int family, const unsigned char *data, size_t len)
{
	(void)family;
	const unsigned char *end = memchr(data, '\0', len);
	put_bytes(o, data, end ? (size_t)(end - data) : len, false);
}

typedef void attr_printer(struct out *o, int family, const unsigned char *data, size_t len);

struct attr_row {
	const char *name;
	attr_printer *print;
};

/* The attributes of an address message worth a student's eye; the others are "...". */
static const struct attr_row address_attrs[] = {
	[IFA_ADDRESS] = { "IFA_ADDRESS", put_attr_address },
	[IFA_LOCAL] = { "IFA_LOCAL", put_attr_address },
	[IFA_LABEL] = { "IFA_LABEL", put_attr_string },
	[IFA_BROADCAST] = { "IFA_BROADCAST", put_attr_address },
	[IFA_ANYCAST] = { "IFA_ANYCAST", put_attr_address },
};

/* The rtattrs of `len` bytes: [IFA_ADDRESS=127.0.0.1, IFA_LABEL="lo", ...]. */
static void put_attrs(struct out *o, const struct attr_row *rows, size_t count, int family,
		      const unsigned char *bytes, size_t len, bool cut)
{
	size_t at = 0, shown = 0;
	bool skipped = cut;
	PUT(o, "[");
	while (len - at >= sizeof(struct rtattr)) {
		size_t attr_len = u16_at(bytes + at);
		unsigned type = u16_at(bytes + at + 2) & NLA_TYPE_MASK;
		if (attr_len < sizeof(struct rtattr) || attr_len > len - at) {
			skipped = true;       /* malformed, or cut off in the bytes at hand */
			break;
		}
		if (type < count && rows[type].print) {
			PUT(o, "%s%s=", shown++ ? ", " : "", rows[type].name);
			rows[type].print(o, family, bytes + at + RTA_LENGTH(0),
					 attr_len - RTA_LENGTH(0));
		} else {
			skipped = true;
		}
		at += RTA_ALIGN(attr_len) < len - at ? RTA_ALIGN(attr_len) : len - at;
	}
	skipped |= at < len;
	PUT(o, "%s%s]", skipped && shown ? ", " : "", skipped ? "..." : "");
}

/* struct ifaddrmsg and its attributes. */
static void put_address_message(struct out *o, const struct payload *p)
{
	struct ifaddrmsg message;
	PUT(o, "{ifa_family=");
	put_name(o, family_names, COUNT(family_names), p->bytes[0]);
	if (p->len < sizeof message) {
		PUT(o, ", ...}");
		return;
	}
	memcpy(&message, p->bytes, sizeof message);
	PUT(o, ", ifa_prefixlen=%u, ifa_flags=", message.ifa_prefixlen);
	put_flag_set(o, address_flags, COUNT(address_flags), message.ifa_flags, NULL, 0);
	PUT(o, ", ifa_scope=");
	put_name(o, scope_names, COUNT(scope_names), message.ifa_scope);
	PUT(o, ", ifa_index=%u}", message.ifa_index);
	size_t start = NLMSG_ALIGN(sizeof message);
	if (p->len > start || p->cut) {
		PUT(o, ", ");
		put_attrs(o, address_attrs, COUNT(address_attrs), message.ifa_family,
			  p->bytes + start, p->len > start ? p->len - start : 0, p->cut);
	}
}

static void put_header(struct out *o, int protocol, const unsigned char *bytes);

/* struct nlmsgerr: the errno (0: an acknowledgement) and the request's header. */
static void put_error_message(struct out *o, const struct payload *p)
{
	if (p->len < sizeof(int32_t)) {
		put_bytes(o, p->bytes, p->len, p->cut);
		return;
	}
	int32_t error = (int32_t)u32_at(p->bytes);
	const char *name = error < 0 && error > -4096 ? strerrorname_np(-error) : NULL;
	if (name)
		PUT(o, "{error=-%s", name);
	else
		PUT(o, "{error=%d", (int)error);
	size_t rest = p->len - sizeof(int32_t);
	if (rest >= NLMSG_HDRLEN) {
		PUT(o, ", msg=");
		put_header(o, p->protocol, p->bytes + sizeof(int32_t));
	}
	/* No request payload after its header: NLM_F_CAPPED, or none to show. */
	bool all_shown = rest == 0 || rest == NLMSG_HDRLEN;
	PUT(o, "%s}", all_shown && !p->cut ? "" : ", ...");
}

/* NLMSG_DONE's int: 0, or a dump's error. */
static void put_done_message(struct out *o, const struct payload *p)
{
	if (p->len == sizeof(int32_t))
		PUT(o, "%d", (int)(int32_t)u32_at(p->bytes));
	else
		put_bytes(o, p->bytes, p->len, p->cut);
}

/* The types below NLMSG_MIN_TYPE, every protocol's. */
static const struct type_row control_types[NLMSG_MIN_TYPE] = {
	[NLMSG_NOOP] = { "NLMSG_NOOP", NULL, FLAGS_PLAIN },
	[NLMSG_ERROR] = { "NLMSG_ERROR", put_error_message, FLAGS_ACK },
	[NLMSG_DONE] = { "NLMSG_DONE", put_done_message, FLAGS_PLAIN },
	[NLMSG_OVERRUN] = { "NLMSG_OVERRUN", NULL, FLAGS_PLAIN },
};

#define ROUTE(type_, print_, flags_) [type_] = { #type_, print_, flags_ }

static const struct type_row route_types[] = {
	ROUTE(RTM_NEWLINK, NULL, FLAGS_NEW), ROUTE(RTM_DELLINK, NULL, FLAGS_DELETE),
	ROUTE(RTM_GETLINK, NULL, FLAGS_GET), ROUTE(RTM_SETLINK, NULL, FLAGS_PLAIN),
	ROUTE(RTM_NEWADDR, put_address_message, FLAGS_NEW),
	ROUTE(RTM_DELADDR, put_address_message, FLAGS_DELETE),
	ROUTE(RTM_GETADDR, put_address_message, FLAGS_GET),
	ROUTE(RTM_NEWROUTE, NULL, FLAGS_NEW), ROUTE(RTM_DELROUTE, NULL, FLAGS_DELETE),
	ROUTE(RTM_GETROUTE, NULL, FLAGS_GET),
	ROUTE(RTM_NEWNEIGH, NULL, FLAGS_NEW), ROUTE(RTM_DELNEIGH, NULL, FLAGS_DELETE),
	ROUTE(RTM_GETNEIGH, NULL, FLAGS_GET),
	ROUTE(RTM_NEWRULE, NULL, FLAGS_NEW), ROUTE(RTM_DELRULE, NULL, FLAGS_DELETE),
	ROUTE(RTM_GETRULE, NULL, FLAGS_GET),
	ROUTE(RTM_NEWQDISC, NULL, FLAGS_NEW), ROUTE(RTM_DELQDISC, NULL, FLAGS_DELETE),
	ROUTE(RTM_GETQDISC, NULL, FLAGS_GET),
	ROUTE(RTM_GETMULTICAST, NULL, FLAGS_GET), ROUTE(RTM_GETANYCAST, NULL, FLAGS_GET),
	ROUTE(RTM_NEWNETCONF, NULL, FLAGS_NEW), ROUTE(RTM_GETNETCONF, NULL, FLAGS_GET),
	ROUTE(RTM_NEWNSID, NULL, FLAGS_NEW), ROUTE(RTM_DELNSID, NULL, FLAGS_DELETE),
	ROUTE(RTM_GETNSID, NULL, FLAGS_GET),
};

/* The protocols this file has names for. */
static const struct {
	const struct type_row *types;
	size_t count;
} protocols[] = {
	[NETLINK_ROUTE] = { route_types, COUNT(route_types) },
};

static const struct type_row *protocol_type(int protocol, unsigned type)
{
	if (type < NLMSG_MIN_TYPE)
		return control_types[type].name ? &control_types[type] : NULL;
	if (protocol < 0 || (size_t)protocol >= COUNT(protocols)
	    || type >= protocols[protocol].count)
		return NULL;
	const struct type_row *row = &protocols[protocol].types[type];
	return row->name ? row : NULL;
}

static bool known_protocol(int protocol)
{
	return protocol >= 0 && (size_t)protocol < COUNT(protocols) && protocols[protocol].types;
}

/* ---- messages ---- */

static void put_type(struct out *o, int protocol, unsigned type)
{
	const struct type_row *row = protocol_type(protocol, type);
	if (row)
		PUT(o, "%s", row->name);
	else
		PUT(o, "%#x", type);
}

/* {nlmsg_len=20, nlmsg_type=RTM_GETADDR, nlmsg_flags=..., nlmsg_seq=..., nlmsg_pid=0}
 * from NLMSG_HDRLEN bytes. */
static void put_header(struct out *o, int protocol, const unsigned char *bytes)
{
	struct nlmsghdr header;
	memcpy(&header, bytes, sizeof header);
	const struct type_row *row = protocol_type(protocol, header.nlmsg_type);
	PUT(o, "{nlmsg_len=%u, nlmsg_type=", header.nlmsg_len);
	put_type(o, protocol, header.nlmsg_type);
	enum flag_kind kind = row ? row->flags : FLAGS_PLAIN;
	PUT(o, ", nlmsg_flags=");
	put_flag_set(o, base_flags, COUNT(base_flags), header.nlmsg_flags, kind_flags[kind].rows,
		     kind_flags[kind].count);
	PUT(o, ", nlmsg_seq=%u, nlmsg_pid=%u}", header.nlmsg_seq, header.nlmsg_pid);
}

/* One message of `len` bytes at hand (its nlmsg_len may be more): [{header}, payload]. */
static void put_message(struct out *o, int protocol, const unsigned char *bytes, size_t len,
			uint32_t message_len)
{
	struct nlmsghdr header;
	memcpy(&header, bytes, sizeof header);
	size_t end = message_len < len ? message_len : len;
	struct payload p = { .bytes = bytes + NLMSG_HDRLEN, .len = end - NLMSG_HDRLEN,
			     .cut = end < message_len, .protocol = protocol };
	if (p.len == 0 && !p.cut) {
		put_header(o, protocol, bytes);
		return;
	}
	PUT(o, "[");
	put_header(o, protocol, bytes);
	PUT(o, ", ");
	const struct type_row *row = protocol_type(protocol, header.nlmsg_type);
	if (row && row->print && p.len > 0)
		row->print(o, &p);
	else
		put_bytes(o, p.bytes, p.len, p.cut);
	PUT(o, "]");
}

/* A message named only: {nlmsg_len=76, nlmsg_type=RTM_NEWADDR, ...}. */
static void put_brief(struct out *o, int protocol, const unsigned char *bytes)
{
	struct nlmsghdr header;
	memcpy(&header, bytes, sizeof header);
	PUT(o, "{nlmsg_len=%u, nlmsg_type=", header.nlmsg_len);
	put_type(o, protocol, header.nlmsg_type);
	PUT(o, ", ...}");
}

/* The nlmsg_len of the message at `offset`, 0 when no whole header is at
 * hand or it is malformed (shorter than a header, longer than the call's bytes). */
static uint32_t message_length(const unsigned char *bytes, size_t len, size_t total, size_t offset)
{
	if (offset >= len || len - offset < NLMSG_HDRLEN)
		return 0;
	uint32_t message_len = u32_at(bytes + offset);
	if (message_len < NLMSG_HDRLEN || message_len > total - offset)
		return 0;
	return message_len;
}

/* Room kept at the end for ", ...]" */
#define TAIL_ROOM 8

/* Runs of one type a summary names before "...". */
#define SUMMARY_RUNS 6

/* The messages found in the bytes at hand: where each starts, its nlmsg_len. */
struct layout {
	size_t offsets[NETLINK_TEXT_COUNTED];
	uint32_t lengths[NETLINK_TEXT_COUNTED];
	size_t count;
	size_t end;          /* where the bytes after the last one start */
	bool garbage;        /* bytes at hand after them that are no message */
	bool more;           /* bytes after them: garbage, unread, or past the count */
};

static void lay_out(struct layout *l, const unsigned char *bytes, size_t len, size_t total)
{
	size_t offset = 0;
	*l = (struct layout){ .count = 0 };
	while (offset < len && l->count < NETLINK_TEXT_COUNTED) {
		uint32_t message_len = message_length(bytes, len, total, offset);
		if (message_len == 0) {
			l->garbage = true;
			break;
		}
		l->offsets[l->count] = offset;
		l->lengths[l->count++] = message_len;
		offset += NLMSG_ALIGN((size_t)message_len);
	}
	l->end = offset;
	l->more = offset < total;
}

static unsigned type_at(const unsigned char *bytes, size_t offset)
{
	return u16_at(bytes + offset + offsetof(struct nlmsghdr, nlmsg_type));
}

/* The messages from `from` on as runs of their types, in a C comment:
 * "then RTM_NEWADDR x3, NLMSG_DONE". */
static void put_summary(struct out *o, int protocol, const unsigned char *bytes,
			const struct layout *l, size_t from)
{
	size_t i = from;
	PUT(o, "/* then ");
	for (unsigned runs = 0; i < l->count && runs < SUMMARY_RUNS; runs++) {
		unsigned type = type_at(bytes, l->offsets[i]);
		size_t same = 1;
		while (i + same < l->count && type_at(bytes, l->offsets[i + same]) == type)
			same++;
		PUT(o, "%s", runs ? ", " : "");
		put_type(o, protocol, type);
		if (same > 1)
			PUT(o, " x%zu", same);
		i += same;
	}
	PUT(o, "%s */", i < l->count || l->more ? ", ..." : "");
}

/* Appends `piece` (after `separator`) when it fits and leaves `keep` characters more. */
static bool append_fitting(struct out *o, const char *separator, const char *piece, size_t keep)
{
	size_t need = strlen(separator) + strlen(piece);
	if (o->at + need + keep + TAIL_ROOM > o->size)
		return false;
	PUT(o, "%s%s", separator, piece);
	return true;
}

/* Room the summary of the messages from `from` on takes ("" when none). */
static size_t summary_room(int protocol, const unsigned char *bytes, const struct layout *l,
			   size_t from)
{
	char summary[256];
	struct out s = { summary, sizeof summary, 0 };
	if (from >= l->count)
		return 0;
	put_summary(&s, protocol, bytes, l, from);
	return strlen(summary) + 2;
}

/* As many of the first NETLINK_TEXT_MESSAGES in full as leave room for
 * the summary of the rest; the first named only when it does not fit.
 * Returns how many it showed, 0 when not even the first fits. */
static size_t put_messages(struct out *o, int protocol, const unsigned char *bytes, size_t len,
			   const struct layout *l)
{
	size_t i = 0;
	for (; i < l->count && i < NETLINK_TEXT_MESSAGES; i++) {
		char full[1024];
		struct out f = { full, sizeof full, 0 };
		size_t keep = summary_room(protocol, bytes, l, i + 1);
		put_message(&f, protocol, bytes + l->offsets[i], len - l->offsets[i],
			    l->lengths[i]);
		if (!append_fitting(o, i ? ", " : "", full, keep))
			break;
	}
	if (i == 0) {
		char brief[64];
		struct out b = { brief, sizeof brief, 0 };
		put_brief(&b, protocol, bytes);
		if (!append_fitting(o, "", brief, 0))
			return 0;
		i = 1;
	}
	return i;
}

/* After the messages shown: the summary of the others, or garbage as
 * bytes, or ", ..." for what neither shows. */
static void put_rest(struct out *o, int protocol, const unsigned char *bytes, size_t len,
		     size_t total, const struct layout *l, size_t shown)
{
	char piece[256];
	struct out p = { piece, sizeof piece, 0 };
	if (shown < l->count)
		put_summary(&p, protocol, bytes, l, shown);
	else if (l->garbage)
		put_bytes(&p, bytes + l->end, len - l->end, len < total);
	else if (!l->more)
		return;
	if (!p.at || !append_fitting(o, ", ", piece, 0))
		PUT(o, ", ...");
}

bool netlink_text_could_be(const unsigned char *bytes, size_t len, size_t total)
{
	return len <= total && message_length(bytes, len, total, 0) != 0;
}

bool netlink_text(int protocol, const unsigned char *bytes, size_t len, size_t total, char *out,
		  size_t size)
{
	struct layout l;
	if (!known_protocol(protocol) || len > total || size < 2 * TAIL_ROOM)
		return false;
	lay_out(&l, bytes, len, total);
	if (l.count == 0)
		return false;
	struct out o = { out, size, 0 };
	out[0] = '\0';
	bool several = NLMSG_ALIGN((size_t)l.lengths[0]) < total;
	PUT(&o, "%s", several ? "[" : "");
	size_t shown = put_messages(&o, protocol, bytes, len, &l);
	if (shown == 0)
		return false;
	put_rest(&o, protocol, bytes, len, total, &l, shown);
	PUT(&o, "%s", several ? "]" : "");
	return true;
}
