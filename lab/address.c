/* address — socket addresses as values, and their one text (address.h). */
#include "address.h"

#include <arpa/inet.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#include "text.h"

_Static_assert(LAB_ADDRESS_TEXT_MAX == TEXT_ADDRESS_MAX, "one room for an address's text");
_Static_assert(offsetof(struct lab_address, bytes) % 4 == 0 && sizeof(struct lab_address) % 4 == 0,
	       "lab_address_hash reads whole words");

static void set_inet(struct lab_address *out, enum lab_address_kind kind, const void *host,
		     size_t size, unsigned port)
{
	out->kind = (uint8_t)kind;
	out->port = port;
	memcpy(out->bytes, host, size);
}

/* A unix name of `len` bytes, cut to what the value holds (the kernel
 * never hands out more than sun_path). */
static void set_unix(struct lab_address *out, enum lab_address_kind kind, const char *name,
		     size_t len)
{
	if (len > sizeof out->bytes)
		len = sizeof out->bytes;
	out->kind = (uint8_t)kind;
	out->length = (uint8_t)len;
	memcpy(out->bytes, name, len);
}

static void from_unix(const struct sockaddr_un *un, socklen_t len, struct lab_address *out)
{
	size_t path_len = len - offsetof(struct sockaddr_un, sun_path);
	if (len <= offsetof(struct sockaddr_un, sun_path) || path_len == 0)
		out->kind = LAB_ADDRESS_UNIX_UNNAMED;
	else if (un->sun_path[0] == '\0')
		set_unix(out, LAB_ADDRESS_UNIX_ABSTRACT, un->sun_path + 1, path_len - 1);
	else
		set_unix(out, LAB_ADDRESS_UNIX_PATH, un->sun_path, strnlen(un->sun_path, path_len));
}

void lab_address_from_sockaddr(const struct sockaddr *address, socklen_t len,
			       struct lab_address *out)
{
	memset(out, 0, sizeof *out);
	out->kind = LAB_ADDRESS_NONE;
	if (len < sizeof(sa_family_t))
		return;
	if (address->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)address;
		/* No address and no port: a listener's peer. */
		if (in->sin_addr.s_addr != htonl(INADDR_ANY) || in->sin_port != 0)
			set_inet(out, LAB_ADDRESS_IPV4, &in->sin_addr, 4, ntohs(in->sin_port));
	} else if (address->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)address;
		if (!IN6_IS_ADDR_UNSPECIFIED(&in6->sin6_addr) || in6->sin6_port != 0)
			set_inet(out, LAB_ADDRESS_IPV6, &in6->sin6_addr, 16, ntohs(in6->sin6_port));
	} else if (address->sa_family == AF_UNIX) {
		from_unix((const struct sockaddr_un *)address, len, out);
	} else if (address->sa_family == AF_NETLINK) {
		/* Port 0 is the kernel's end, or "choose one" in a bind: the
		 * number alone is true in both. A process's is usually its pid. */
		const struct sockaddr_nl *nl = (const struct sockaddr_nl *)address;
		out->kind = len < sizeof *nl ? LAB_ADDRESS_NETLINK_SHORT : LAB_ADDRESS_NETLINK;
		if (len >= sizeof *nl) {
			out->number = nl->nl_pid;
			out->groups = nl->nl_groups;
		}
	} else {
		out->kind = LAB_ADDRESS_FAMILY;
		out->number = address->sa_family;
	}
}

socklen_t lab_address_to_sockaddr(const struct lab_address *address, struct sockaddr_storage *out)
{
	memset(out, 0, sizeof *out);
	if (address->flags & LAB_ADDRESS_PORT_TOKEN)
		return 0;
	if (address->kind == LAB_ADDRESS_IPV4) {
		struct sockaddr_in *in = (struct sockaddr_in *)out;
		in->sin_family = AF_INET;
		in->sin_port = htons((uint16_t)address->port);
		memcpy(&in->sin_addr, address->bytes, 4);
		return sizeof *in;
	}
	if (address->kind == LAB_ADDRESS_IPV6) {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)out;
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)address->port);
		memcpy(&in6->sin6_addr, address->bytes, 16);
		return sizeof *in6;
	}
	struct sockaddr_un *un = (struct sockaddr_un *)out;
	bool abstract = address->kind == LAB_ADDRESS_UNIX_ABSTRACT;
	if ((!abstract && address->kind != LAB_ADDRESS_UNIX_PATH)
	    || (size_t)address->length + abstract >= sizeof un->sun_path)
		return 0;
	un->sun_family = AF_UNIX;
	memcpy(un->sun_path + abstract, address->bytes, address->length);
	/* A path's NUL counts; an abstract name is its bytes after a NUL. */
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + address->length + 1);
}

struct lab_address lab_address_of_kind(enum lab_address_kind kind)
{
	struct lab_address address;
	memset(&address, 0, sizeof address);
	address.kind = (uint8_t)kind;
	return address;
}

struct lab_address lab_address_unmapped(const struct lab_address *address)
{
	struct lab_address plain = *address;
	if (address->kind != LAB_ADDRESS_IPV6
	    || !IN6_IS_ADDR_V4MAPPED((const struct in6_addr *)address->bytes))
		return plain;
	memset(plain.bytes, 0, sizeof plain.bytes);
	memcpy(plain.bytes, address->bytes + 12, 4);
	plain.kind = LAB_ADDRESS_IPV4;
	return plain;
}

bool lab_address_same_endpoint(const struct lab_address *a, const struct lab_address *b)
{
	if (lab_address_equal(a, b))
		return true;
	struct lab_address plain_a = lab_address_unmapped(a), plain_b = lab_address_unmapped(b);
	return lab_address_equal(&plain_a, &plain_b);
}

bool lab_address_is_inet(const struct lab_address *address)
{
	return address->kind == LAB_ADDRESS_IPV4 || address->kind == LAB_ADDRESS_IPV6;
}

bool lab_address_same_port(const struct lab_address *a, const struct lab_address *b)
{
	return lab_address_is_inet(a) && lab_address_is_inet(b) && a->port == b->port
		&& a->flags == b->flags;
}

bool lab_address_is_wildcard(const struct lab_address *address)
{
	static const unsigned char zero[16];
	return lab_address_is_inet(address)
		&& memcmp(address->bytes, zero, address->kind == LAB_ADDRESS_IPV4 ? 4 : 16) == 0;
}

uint32_t lab_address_hash(const struct lab_address *address, uint32_t seed)
{
	/* FNV-1a's multiply over words: the head's four, then the bytes used
	 * (a word at a time, the rest of the last word is zero). */
	const unsigned char *at = (const unsigned char *)address;
	size_t size = offsetof(struct lab_address, bytes) + lab_address_bytes_used(address);
	uint32_t hash = seed;
	for (size_t i = 0; i < size; i += 4) {
		uint32_t word;
		memcpy(&word, at + i, sizeof word);
		hash = (hash ^ word) * 16777619u;
		hash ^= hash >> 15;
	}
	return hash;
}

int lab_address_text_compare(const struct lab_address *a, const struct lab_address *b)
{
	if (lab_address_equal(a, b))
		return 0;
	char text_a[TEXT_ADDRESS_MAX], text_b[TEXT_ADDRESS_MAX];
	return strcmp(lab_address_text(a, text_a, sizeof text_a),
		      lab_address_text(b, text_b, sizeof text_b));
}

/* ---- text ------------------------------------------------------------- */

/* Appends the decimal digits of `value` at *at; returns the new end. */
static char *put_decimal(char *at, unsigned value)
{
	char digits[10];
	int count = 0;
	do
		digits[count++] = (char)('0' + value % 10);
	while ((value /= 10) != 0);
	while (count > 0)
		*at++ = digits[--count];
	return at;
}

/* ":65432", or ":$3" for a normalised trace's token. */
static char *put_port(char *at, const struct lab_address *address)
{
	*at++ = ':';
	if (address->flags & LAB_ADDRESS_PORT_TOKEN)
		*at++ = '$';
	return put_decimal(at, address->port);
}

/* "127.0.0.1:65432" without printf: every snapshot shows two addresses a
 * socket, and printf's machinery was once the lab's largest cost after
 * the kernel's own. */
static void format_ipv4(const struct lab_address *address, char *out, size_t out_size)
{
	char text[sizeof "255.255.255.255:$4294967295"];
	char *at = text;
	for (int i = 0; i < 4; i++) {
		at = put_decimal(at, address->bytes[i]);
		if (i < 3)
			*at++ = '.';
	}
	at = put_port(at, address);
	*at = '\0';
	text_copy(out, out_size, text);
}

static void format_ipv6(const struct lab_address *address, char *out, size_t out_size)
{
	char text[INET6_ADDRSTRLEN + sizeof "[]:$4294967295"];
	text[0] = '[';
	inet_ntop(AF_INET6, address->bytes, text + 1, INET6_ADDRSTRLEN);
	char *at = text + strlen(text);
	*at++ = ']';
	at = put_port(at, address);
	*at = '\0';
	text_copy(out, out_size, text);
}

static void format_netlink(const struct lab_address *address, char *out, size_t out_size)
{
	if (address->groups)
		snprintf(out, out_size, "netlink port %u groups 0x%x", address->number,
			 address->groups);
	else
		snprintf(out, out_size, "netlink port %u", address->number);
}

/* The words of the kinds that are only a word. */
static const char *const kind_words[LAB_ADDRESS_KIND_COUNT] = {
	[LAB_ADDRESS_EMPTY] = "",
	[LAB_ADDRESS_NONE] = "*",
	[LAB_ADDRESS_UNKNOWN] = "?",
	[LAB_ADDRESS_UNIX_UNNAMED] = "(unnamed)",
	[LAB_ADDRESS_UNIX_PEER] = "(peer)",
	[LAB_ADDRESS_NETLINK_SHORT] = "(netlink)",
};

char *lab_address_text(const struct lab_address *address, char *out, size_t out_size)
{
	/* Unix names may hold any byte: escaped, as every peer's bytes are. */
	char escaped[TEXT_ADDRESS_MAX];
	switch (address->kind) {
	case LAB_ADDRESS_IPV4:
		format_ipv4(address, out, out_size);
		break;
	case LAB_ADDRESS_IPV6:
		format_ipv6(address, out, out_size);
		break;
	case LAB_ADDRESS_UNIX_PATH:
		text_escape(address->bytes, address->length, escaped, sizeof escaped);
		text_copy(out, out_size, escaped);
		break;
	case LAB_ADDRESS_UNIX_ABSTRACT:
		text_escape(address->bytes, address->length, escaped, sizeof escaped);
		snprintf(out, out_size, "@%s", escaped);
		break;
	case LAB_ADDRESS_NETLINK:
		format_netlink(address, out, out_size);
		break;
	case LAB_ADDRESS_FAMILY:
		snprintf(out, out_size, "(family %d)", (int)address->number);
		break;
	default: {
		bool known = address->kind < LAB_ADDRESS_KIND_COUNT && kind_words[address->kind];
		text_copy(out, out_size, known ? kind_words[address->kind] : "?");
		break;
	}
	}
	return out;
}

struct lab_address_shown lab_address_shown(const struct lab_address *address)
{
	struct lab_address_shown shown;
	lab_address_text(address, shown.text, sizeof shown.text);
	return shown;
}

char *text_address(const struct sockaddr *address, socklen_t len, char *out, size_t out_size)
{
	struct lab_address value;
	lab_address_from_sockaddr(address, len, &value);
	return lab_address_text(&value, out, out_size);
}

/* ---- reading text back ------------------------------------------------- */

/* A decimal number of at most `max`, the whole of text[0, len): no sign,
 * no leading zero (text_address writes none). */
static bool read_decimal(const char *text, size_t len, unsigned long max, unsigned long *out)
{
	if (len == 0 || len > 10 || (len > 1 && text[0] == '0'))
		return false;
	unsigned long value = 0;
	for (size_t i = 0; i < len; i++) {
		if (text[i] < '0' || text[i] > '9')
			return false;
		value = value * 10 + (unsigned long)(text[i] - '0');
	}
	*out = value;
	return value <= max;
}

/* How a reader found a text: not of its shape (another reader's, or a
 * path's), read, or of its shape but no value of it. */
enum reading {
	NOT_MINE,
	READ,
	BAD
};

/* "host:port" or "[host]:port", the port a number or a "$n" token. */
static enum reading read_inet(const char *text, struct lab_address *out)
{
	const char *colon = strrchr(text, ':');
	if (!colon || colon == text)
		return NOT_MINE;
	bool bracketed = text[0] == '[';
	if (bracketed != (colon[-1] == ']'))
		return NOT_MINE;
	char host[INET6_ADDRSTRLEN];
	size_t host_len = (size_t)(colon - text) - (bracketed ? 2 : 0);
	if (bracketed && colon - text < 2)
		return NOT_MINE;
	if (host_len >= sizeof host)
		return NOT_MINE;
	memcpy(host, text + bracketed, host_len);
	host[host_len] = '\0';
	if (inet_pton(bracketed ? AF_INET6 : AF_INET, host, out->bytes) != 1)
		return NOT_MINE;
	const char *port = colon + 1;
	unsigned long number;
	if (port[0] == '$') {
		out->flags = LAB_ADDRESS_PORT_TOKEN;
		port++;
	}
	if (!read_decimal(port, strlen(port), out->flags ? UINT32_MAX : UINT16_MAX, &number))
		return BAD;
	out->port = (uint32_t)number;
	out->kind = bracketed ? LAB_ADDRESS_IPV6 : LAB_ADDRESS_IPV4;
	/* No address and no port is none at all, "*" (from_sockaddr's value). */
	static const unsigned char zero[16];
	if (out->port == 0 && !out->flags && memcmp(out->bytes, zero, sizeof zero) == 0)
		return BAD;
	return READ;
}

/* text_escape's text back into bytes: \n \r \t \\ \" \xHH. */
static enum reading read_escaped(const char *text, enum lab_address_kind kind,
				 struct lab_address *out)
{
	/* \xHH is the longest escape: a longer text is more bytes than a name holds. */
	unsigned char decoded[4 * sizeof out->bytes];
	size_t len = strlen(text), bad_escape;
	long got = len <= sizeof decoded ? text_unescape(text, len, decoded, &bad_escape) : -1;
	if (got < 0 || (size_t)got > sizeof out->bytes)
		return BAD;
	memcpy(out->bytes, decoded, (size_t)got);
	out->kind = (uint8_t)kind;
	out->length = (uint8_t)got;
	return READ;
}

static enum reading read_netlink(const char *text, struct lab_address *out)
{
	static const char port[] = "netlink port ", groups[] = " groups 0x";
	if (strncmp(text, port, sizeof port - 1) != 0)
		return NOT_MINE;
	text += sizeof port - 1;
	const char *rest = strstr(text, groups);
	unsigned long number, mask = 0;
	if (!read_decimal(text, rest ? (size_t)(rest - text) : strlen(text), UINT32_MAX, &number))
		return BAD;
	if (rest) {
		char *end;
		mask = strtoul(rest + sizeof groups - 1, &end, 16);
		if (*end || mask > UINT32_MAX)
			return BAD;
	}
	out->kind = LAB_ADDRESS_NETLINK;
	out->number = (uint32_t)number;
	out->groups = (uint32_t)mask;
	return READ;
}

static enum reading read_family(const char *text, struct lab_address *out)
{
	static const char open[] = "(family ";
	size_t len = strlen(text);
	unsigned long family;
	if (strncmp(text, open, sizeof open - 1) != 0 || text[len - 1] != ')')
		return NOT_MINE;
	if (!read_decimal(text + sizeof open - 1, len - sizeof open, UINT16_MAX, &family))
		return BAD;
	out->kind = LAB_ADDRESS_FAMILY;
	out->number = (uint32_t)family;
	return READ;
}

static enum reading read_word(const char *text, struct lab_address *out)
{
	for (int kind = 0; kind < LAB_ADDRESS_KIND_COUNT; kind++) {
		if (kind_words[kind] && strcmp(kind_words[kind], text) == 0) {
			out->kind = (uint8_t)kind;
			return READ;
		}
	}
	return NOT_MINE;
}

static enum reading read_abstract(const char *text, struct lab_address *out)
{
	return text[0] == '@' ? read_escaped(text + 1, LAB_ADDRESS_UNIX_ABSTRACT, out) : NOT_MINE;
}

static enum reading read_path(const char *text, struct lab_address *out)
{
	return read_escaped(text, LAB_ADDRESS_UNIX_PATH, out);
}

/* Each shape a text may have, in the order tried; a path comes last, as
 * almost any text reads as one. A text of a shape is that shape's value
 * or none: "0.0.0.0:0" is no path, though a unix socket could be bound to
 * that name (its text would not read back: the trace holds no family). */
static enum reading (*const readers[])(const char *, struct lab_address *) = {
	read_word, read_netlink, read_family, read_inet, read_abstract, read_path,
};

int lab_address_parse(const char *text, struct lab_address *out)
{
	char again[TEXT_ADDRESS_MAX];
	enum reading reading = NOT_MINE;
	for (size_t i = 0; i < sizeof readers / sizeof readers[0] && reading == NOT_MINE; i++) {
		memset(out, 0, sizeof *out);
		reading = strlen(text) < sizeof again ? readers[i](text, out) : BAD;
	}
	if (reading == READ && strcmp(lab_address_text(out, again, sizeof again), text) == 0)
		return 0;
	memset(out, 0, sizeof *out);
	return -1;
}
