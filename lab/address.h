/* address — a socket address as a value: what the model, the capture and
 * the tracer keep, compared as values and made into text only where it is
 * shown (a frontend, a trace, a sentence). lab_address_text prints what
 * text_address always printed, and lab_address_parse reads exactly that
 * text back, so traces written before the values still read.
 */
#ifndef SOCKLAB_ADDRESS_H
#define SOCKLAB_ADDRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

/* What an address is, and so which fields of struct lab_address hold it. */
enum lab_address_kind {
	LAB_ADDRESS_EMPTY,         /* "": none given (a zeroed value) */
	LAB_ADDRESS_NONE,          /* "*": no address at all (a listener's peer, an unbound
	                              socket, 0.0.0.0 or :: with port 0) */
	LAB_ADDRESS_UNKNOWN,       /* "?": in no kernel table the lab reads */
	LAB_ADDRESS_IPV4,          /* "127.0.0.1:65432" */
	LAB_ADDRESS_IPV6,          /* "[::1]:65432", "[::ffff:127.0.0.1]:80" */
	LAB_ADDRESS_UNIX_PATH,     /* "./echo.sock" (escaped) */
	LAB_ADDRESS_UNIX_ABSTRACT, /* "@echo" (escaped; the name may hold any byte) */
	LAB_ADDRESS_UNIX_UNNAMED,  /* "(unnamed)" */
	LAB_ADDRESS_UNIX_PEER,     /* "(peer)": a unix socket's other end, not among the rows */
	LAB_ADDRESS_NETLINK,       /* "netlink port 4121", "netlink port 0 groups 0x1" */
	LAB_ADDRESS_NETLINK_SHORT, /* "(netlink)": a netlink address too short to read */
	LAB_ADDRESS_FAMILY,        /* "(family 17)": a family the lab does not read */
	LAB_ADDRESS_KIND_COUNT
};

enum lab_address_flag {
	LAB_ADDRESS_PORT_TOKEN = 1u << 0, /* `port` is a normalised trace's token: "127.0.0.1:$3" */
};

/* Every byte is part of the value (explicit padding, unused bytes zero),
 * so two values are equal exactly when their bytes are, and a model row
 * that holds two is still compared whole by memcmp. Make one only with
 * the functions below or from a zeroed struct. */
struct lab_address {
	uint8_t kind;             /* enum lab_address_kind */
	uint8_t length;           /* unix path or abstract name: its bytes in `bytes` */
	uint8_t flags;            /* enum lab_address_flag */
	uint8_t unused;
	uint32_t port;            /* inet: the port (host order), or its token */
	uint32_t number;          /* netlink: the port (usually a pid); FAMILY: the family */
	uint32_t groups;          /* netlink: the multicast groups */
	unsigned char bytes[108]; /* IPv4: 4 bytes, IPv6: 16, network order; unix: the name */
};

/* The value of a sockaddr of `len` bytes (a short one, under a family's
 * size, is LAB_ADDRESS_NONE as text_address always said "*"). */
void lab_address_from_sockaddr(const struct sockaddr *address, socklen_t len,
			       struct lab_address *out);

/* A value of one kind that needs nothing more: NONE, UNKNOWN, UNIX_PEER... */
struct lab_address lab_address_of_kind(enum lab_address_kind kind);

static inline bool lab_address_is(const struct lab_address *address, enum lab_address_kind kind)
{
	return address->kind == kind;
}

/* How many of `bytes` the value uses; the rest are zero. */
static inline size_t lab_address_bytes_used(const struct lab_address *address)
{
	if (address->kind == LAB_ADDRESS_IPV4)
		return 4;
	return address->kind == LAB_ADDRESS_IPV6 ? 16 : address->length;
}

/* Equal values: the same head, and so the same bytes used, the same.
 * Inline: every snapshot compares a few hundred addresses. */
static inline bool lab_address_equal(const struct lab_address *a, const struct lab_address *b)
{
	return memcmp(a, b, offsetof(struct lab_address, bytes)) == 0
	       && memcmp(a->bytes, b->bytes, lab_address_bytes_used(a)) == 0;
}

/* Equal, or one a v4-mapped IPv6 address ("[::ffff:127.0.0.1]:80") and
 * the other the IPv4 address the wire carries for it. */
bool lab_address_same_endpoint(const struct lab_address *a, const struct lab_address *b);

/* The IPv4 address a v4-mapped one stands for; any other as it is. */
struct lab_address lab_address_unmapped(const struct lab_address *address);

/* Whether the address is an internet one (IPv4, IPv6). */
bool lab_address_is_inet(const struct lab_address *address);

/* Whether both are internet addresses with the same port. */
bool lab_address_same_port(const struct lab_address *a, const struct lab_address *b);

/* Whether it is 0.0.0.0 or [::] with a port: any host of its family. */
bool lab_address_is_wildcard(const struct lab_address *address);

/* A hash of the value, for the tie's index. */
uint32_t lab_address_hash(const struct lab_address *address, uint32_t seed);

/* Orders two values as their texts order by strcmp (the snapshot's order
 * of rows that tie on everything else): <0, 0, >0. */
int lab_address_text_compare(const struct lab_address *a, const struct lab_address *b);

/* The text the lab shows: "127.0.0.1:65432", "[::1]:65432", "*",
 * "./x.sock", "@abstract", "(unnamed)", "netlink port 0"... Cut to fit
 * out_size and always NUL-terminated. Returns out. */
char *lab_address_text(const struct lab_address *address, char *out, size_t out_size);

/* Room for any text lab_address_text writes (text.h's TEXT_ADDRESS_MAX). */
#define LAB_ADDRESS_TEXT_MAX 128

/* The text of a value for one expression, where it is shown:
 * printf("%s", lab_address_shown(&socket->local).text). */
struct lab_address_shown {
	char text[LAB_ADDRESS_TEXT_MAX];
};
struct lab_address_shown lab_address_shown(const struct lab_address *address);

/* The value whose lab_address_text is exactly `text`. Returns 0, or -1
 * (out zeroed) when no value prints as `text`. */
int lab_address_parse(const char *text, struct lab_address *out);

/* The sockaddr of an address a call can be given (an internet one, a
 * unix path or abstract name) into `out`; returns its length, 0 for any
 * other value (none, unnamed, unknown, netlink, a port token). */
socklen_t lab_address_to_sockaddr(const struct lab_address *address, struct sockaddr_storage *out);

/* The text of a sockaddr: lab_address_text of its value. */
char *text_address(const struct sockaddr *address, socklen_t len, char *out, size_t out_size);

#endif
