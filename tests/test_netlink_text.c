/* netlink_text: netlink messages as strace prints them, from byte arrays. */
#include <criterion/criterion.h>

#include <errno.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "netlink_text.h"

/* getaddrinfo(AI_ADDRCONFIG)'s request as the kernel got it (read from a traced python3). */
static const unsigned char getaddr_request[] = {
	0x14, 0x00, 0x00, 0x00, 0x16, 0x00, 0x01, 0x03, 0xa7, 0x17,
	0x16, 0x6b, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

struct buffer {
	unsigned char bytes[1024];
	size_t len;
};

/* Appends a message with `payload` and returns where its payload starts. */
static size_t add_message(struct buffer *b, uint16_t type, uint16_t flags, const void *payload,
			  size_t len)
{
	struct nlmsghdr header = { .nlmsg_len = (uint32_t)(NLMSG_HDRLEN + len),
				   .nlmsg_type = type,
				   .nlmsg_flags = flags,
				   .nlmsg_seq = 1796609959,
				   .nlmsg_pid = 17694 };
	size_t start = b->len;
	cr_assert_leq(start + NLMSG_ALIGN(header.nlmsg_len), sizeof b->bytes);
	memset(b->bytes + start, 0, NLMSG_ALIGN(header.nlmsg_len));
	memcpy(b->bytes + start, &header, sizeof header);
	if (len)
		memcpy(b->bytes + start + NLMSG_HDRLEN, payload, len);
	b->len += NLMSG_ALIGN(header.nlmsg_len);
	return start + NLMSG_HDRLEN;
}

/* Appends an attribute to the message that starts at `message`, growing its nlmsg_len. */
static void add_attr(struct buffer *b, size_t message, uint16_t type, const void *data, size_t len)
{
	struct rtattr attr = { .rta_len = (unsigned short)RTA_LENGTH(len), .rta_type = type };
	memset(b->bytes + b->len, 0, RTA_SPACE(len));
	memcpy(b->bytes + b->len, &attr, sizeof attr);
	memcpy(b->bytes + b->len + RTA_LENGTH(0), data, len);
	b->len += RTA_SPACE(len);
	uint32_t message_len = (uint32_t)(b->len - message);
	memcpy(b->bytes + message, &message_len, sizeof message_len);
}

/* The two address messages of a namespace with only lo up. */
static void add_lo_addresses(struct buffer *b)
{
	size_t start = b->len;
	struct ifaddrmsg v4 = { .ifa_family = AF_INET,
				.ifa_prefixlen = 8,
				.ifa_flags = IFA_F_PERMANENT,
				.ifa_scope = RT_SCOPE_HOST,
				.ifa_index = 1 };
	add_message(b, RTM_NEWADDR, NLM_F_MULTI, &v4, sizeof v4);
	const unsigned char loopback[4] = { 127, 0, 0, 1 };
	uint32_t flags = IFA_F_PERMANENT;
	add_attr(b, start, IFA_ADDRESS, loopback, sizeof loopback);
	add_attr(b, start, IFA_LOCAL, loopback, sizeof loopback);
	add_attr(b, start, IFA_LABEL, "lo", 3);
	add_attr(b, start, IFA_FLAGS, &flags, sizeof flags);

	start = b->len;
	struct ifaddrmsg v6 = { .ifa_family = AF_INET6,
				.ifa_prefixlen = 128,
				.ifa_flags = IFA_F_PERMANENT,
				.ifa_scope = RT_SCOPE_HOST,
				.ifa_index = 1 };
	add_message(b, RTM_NEWADDR, NLM_F_MULTI, &v6, sizeof v6);
	const unsigned char any6[16] = { [15] = 1 };
	add_attr(b, start, IFA_ADDRESS, any6, sizeof any6);
	add_attr(b, start, IFA_FLAGS, &flags, sizeof flags);
}

static const char lo_v4_text[] =
	"[{nlmsg_len=56, nlmsg_type=RTM_NEWADDR, nlmsg_flags=NLM_F_MULTI, nlmsg_seq=1796609959, "
	"nlmsg_pid=17694}, {ifa_family=AF_INET, ifa_prefixlen=8, ifa_flags=IFA_F_PERMANENT, "
	"ifa_scope=RT_SCOPE_HOST, ifa_index=1}, [IFA_ADDRESS=127.0.0.1, IFA_LOCAL=127.0.0.1, "
	"IFA_LABEL=\"lo\", ...]]";

Test(netlink_text, getaddrinfos_request_is_a_dump_of_every_family)
{
	char out[512];
	cr_assert(netlink_text(NETLINK_ROUTE, getaddr_request, sizeof getaddr_request,
			       sizeof getaddr_request, out, sizeof out));
	cr_expect_str_eq(
		out,
		"[{nlmsg_len=20, nlmsg_type=RTM_GETADDR, nlmsg_flags=NLM_F_REQUEST|NLM_F_DUMP, "
		"nlmsg_seq=1796609959, nlmsg_pid=0}, {ifa_family=AF_UNSPEC, ...}]");
}

Test(netlink_text, a_reply_shows_each_message_with_its_addresses)
{
	struct buffer b = { .len = 0 };
	add_lo_addresses(&b);
	char out[1024];
	cr_assert(netlink_text(NETLINK_ROUTE, b.bytes, b.len, b.len, out, sizeof out));
	char expected[1024];
	snprintf(expected, sizeof expected,
		 "[%s, [{nlmsg_len=52, nlmsg_type=RTM_NEWADDR, nlmsg_flags=NLM_F_MULTI, "
		 "nlmsg_seq=1796609959, nlmsg_pid=17694}, {ifa_family=AF_INET6, ifa_prefixlen=128, "
		 "ifa_flags=IFA_F_PERMANENT, ifa_scope=RT_SCOPE_HOST, ifa_index=1}, "
		 "[IFA_ADDRESS=::1, ...]]]",
		 lo_v4_text);
	cr_expect_str_eq(out, expected);
}

Test(netlink_text, done_ends_a_dump)
{
	struct buffer b = { .len = 0 };
	int32_t zero = 0;
	add_message(&b, NLMSG_DONE, NLM_F_MULTI, &zero, sizeof zero);
	char out[512];
	cr_assert(netlink_text(NETLINK_ROUTE, b.bytes, b.len, b.len, out, sizeof out));
	cr_expect_str_eq(out, "[{nlmsg_len=20, nlmsg_type=NLMSG_DONE, nlmsg_flags=NLM_F_MULTI, "
			      "nlmsg_seq=1796609959, nlmsg_pid=17694}, 0]");
}

Test(netlink_text, an_error_names_its_errno_and_the_request)
{
	struct buffer b = { .len = 0 };
	unsigned char error[4 + sizeof getaddr_request];
	int32_t code = -EOPNOTSUPP;
	memcpy(error, &code, sizeof code);
	memcpy(error + 4, getaddr_request, sizeof getaddr_request);
	add_message(&b, NLMSG_ERROR, 0, error, 4 + NLMSG_HDRLEN);   /* capped: the header only */
	char out[512];
	cr_assert(netlink_text(NETLINK_ROUTE, b.bytes, b.len, b.len, out, sizeof out));
	cr_expect_str_eq(
		out,
		"[{nlmsg_len=36, nlmsg_type=NLMSG_ERROR, nlmsg_flags=0, nlmsg_seq=1796609959, "
		"nlmsg_pid=17694}, {error=-EOPNOTSUPP, msg={nlmsg_len=20, nlmsg_type=RTM_GETADDR, "
		"nlmsg_flags=NLM_F_REQUEST|NLM_F_DUMP, nlmsg_seq=1796609959, nlmsg_pid=0}}]");

	b.len = 0;
	code = 0;    /* an acknowledgement, with the request's payload after its header */
	memcpy(error, &code, sizeof code);
	add_message(&b, NLMSG_ERROR, 0, error, sizeof error);
	cr_assert(netlink_text(NETLINK_ROUTE, b.bytes, b.len, b.len, out, sizeof out));
	cr_expect(strstr(out, "{error=0, msg={nlmsg_len=20, nlmsg_type=RTM_GETADDR, ") != NULL,
		  "%s", out);
	cr_expect(strstr(out, "nlmsg_pid=0}, ...}]") != NULL, "%s", out);
}

/* A reply longer than the room: the first message in full, the others
 * summed up by type, the DONE too. */
Test(netlink_text, a_long_reply_sums_up_the_messages_it_has_no_room_for)
{
	struct buffer b = { .len = 0 };
	add_lo_addresses(&b);
	add_lo_addresses(&b);
	int32_t zero = 0;
	add_message(&b, NLMSG_DONE, NLM_F_MULTI, &zero, sizeof zero);
	char out[512], expected[512];
	cr_assert(netlink_text(NETLINK_ROUTE, b.bytes, b.len, b.len, out, sizeof out));
	snprintf(expected, sizeof expected, "[%s, /* then RTM_NEWADDR x3, NLMSG_DONE */]",
		 lo_v4_text);
	cr_expect_str_eq(out, expected);
}

/* No room for the first in full: it is named. */
Test(netlink_text, a_first_message_too_long_for_the_room_is_named)
{
	struct buffer b = { .len = 0 };
	add_lo_addresses(&b);
	char out[100];
	cr_assert(netlink_text(NETLINK_ROUTE, b.bytes, b.len, b.len, out, sizeof out));
	cr_expect_str_eq(out,
			 "[{nlmsg_len=56, nlmsg_type=RTM_NEWADDR, ...}, /* then RTM_NEWADDR */]");
}

/* More messages than NETLINK_TEXT_COUNTED: the summary ends in "...". */
Test(netlink_text, many_messages_end_in_dots)
{
	struct buffer b = { .len = 0 };
	for (int i = 0; i < NETLINK_TEXT_COUNTED + 2; i++)
		add_message(&b, NLMSG_NOOP, 0, NULL, 0);
	char out[4096], expected[64];
	cr_assert(netlink_text(NETLINK_ROUTE, b.bytes, b.len, b.len, out, sizeof out));
	snprintf(expected, sizeof expected, "}, /* then NLMSG_NOOP x%d, ... */]",
		 NETLINK_TEXT_COUNTED - NETLINK_TEXT_MESSAGES);
	cr_expect(strstr(out, expected) != NULL, "%s", out);
	size_t full = 0;
	for (const char *at = strstr(out, "nlmsg_seq="); at; at = strstr(at + 1, "nlmsg_seq="))
		full++;
	cr_expect_eq(full, NETLINK_TEXT_MESSAGES, "%s", out);
}

Test(netlink_text, a_type_without_a_decoder_keeps_its_payload_as_bytes)
{
	struct buffer b = { .len = 0 };
	add_message(&b, RTM_GETROUTE, NLM_F_REQUEST, "\x02\x00\x00\x00", 4);
	add_message(&b, 0x7ff0, 0x8000, "ab", 2);
	char out[1024];
	cr_assert(netlink_text(NETLINK_ROUTE, b.bytes, b.len, b.len, out, sizeof out));
	cr_expect_str_eq(
		out,
		"[[{nlmsg_len=20, nlmsg_type=RTM_GETROUTE, nlmsg_flags=NLM_F_REQUEST, "
		"nlmsg_seq=1796609959, nlmsg_pid=17694}, \"\\x02\\x00\\x00\\x00\"], "
		"[{nlmsg_len=18, nlmsg_type=0x7ff0, nlmsg_flags=0x8000, nlmsg_seq=1796609959, "
		"nlmsg_pid=17694}, \"ab\"]]");
}

Test(netlink_text, what_is_not_a_route_message_is_left_to_the_caller)
{
	char out[512];
	cr_expect_not(netlink_text(NETLINK_GENERIC, getaddr_request, sizeof getaddr_request,
				   sizeof getaddr_request, out, sizeof out));
	cr_expect_not(netlink_text(NETLINK_ROUTE, getaddr_request, 12, 12, out, sizeof out),
		      "no whole header");
	cr_expect_not(netlink_text(NETLINK_ROUTE, getaddr_request, 20, 19, out, sizeof out),
		      "nlmsg_len past the end");
	cr_expect_not(netlink_text(NETLINK_ROUTE, (const unsigned char *)"hello, world, hello", 20,
				   20, out, sizeof out));
	cr_expect_not(netlink_text(NETLINK_ROUTE, getaddr_request, 20, 20, out, 8), "no room");
}

/* A buffer the lab read only partly (here into IFA_LOCAL): what is there
 * is decoded, the rest is "...". */
Test(netlink_text, a_partly_read_reply_is_cut_with_dots)
{
	struct buffer b = { .len = 0 };
	add_lo_addresses(&b);
	char out[1024];
	cr_assert(netlink_text(NETLINK_ROUTE, b.bytes, 36, b.len, out, sizeof out));
	cr_expect(strstr(out, "ifa_index=1}, [IFA_ADDRESS=127.0.0.1, ...]], ...]") != NULL, "%s",
		  out);
}

/* Exactly `len` bytes on the heap, so that the sanitizer sees any read past them. */
static void decode_exact(int protocol, const unsigned char *bytes, size_t len, size_t total,
			 size_t out_size)
{
	unsigned char *copy = malloc(len ? len : 1);
	char *out = malloc(out_size);
	cr_assert(copy && out);
	memcpy(copy, bytes, len);
	if (netlink_text(protocol, copy, len, total, out, out_size))
		cr_assert_lt(strlen(out), out_size);
	free(copy);
	free(out);
}

Test(netlink_text, every_cut_of_a_reply_stays_in_bounds)
{
	struct buffer b = { .len = 0 };
	add_lo_addresses(&b);
	unsigned char error[4 + NLMSG_HDRLEN] = { 0xfe, 0xff, 0xff, 0xff };
	memcpy(error + 4, getaddr_request, NLMSG_HDRLEN);
	add_message(&b, NLMSG_ERROR, 0, error, sizeof error);
	int32_t zero = 0;
	add_message(&b, NLMSG_DONE, NLM_F_MULTI, &zero, sizeof zero);
	for (size_t len = 0; len <= b.len; len++)
		for (size_t out_size = 1; out_size <= 600; out_size += 37) {
			decode_exact(NETLINK_ROUTE, b.bytes, len, b.len,
				     out_size);                                   /* read partly */
			decode_exact(NETLINK_ROUTE, b.bytes, len, len, out_size); /* sent short */
		}
}

/* Random bytes, and random bytes behind a plausible header, of every length. */
Test(netlink_text, garbage_stays_in_bounds)
{
	static const uint16_t types[] = { RTM_NEWADDR, RTM_GETADDR, NLMSG_ERROR, NLMSG_DONE, 0x99 };
	uint32_t seed = 14;
	unsigned char bytes[300];
	for (int round = 0; round < 4000; round++) {
		size_t len = (size_t)round % sizeof bytes;
		for (size_t i = 0; i < len; i++) {
			seed = seed * 1103515245u + 12345u;
			bytes[i] = (unsigned char)(seed >> 16);
		}
		if (round % 2 && len >= NLMSG_HDRLEN) {
			uint32_t message_len =
				NLMSG_HDRLEN + (seed >> 8) % (uint32_t)(len - NLMSG_HDRLEN + 1);
			uint16_t type = types[(seed >> 4) % (sizeof types / sizeof types[0])];
			memcpy(bytes, &message_len, sizeof message_len);
			memcpy(bytes + 4, &type, sizeof type);
		}
		decode_exact(NETLINK_ROUTE, bytes, len, len, 512);
		decode_exact(NETLINK_ROUTE, bytes, len, len + 64, 200);
	}
}

/* The decoder's gate before any look at the socket: what could be
 * messages passes, what netlink_text would refuse for its bytes does not,
 * and whatever it decodes passed. */
Test(netlink_text, only_bytes_that_could_be_messages_pass_the_gate)
{
	cr_expect(netlink_text_could_be(getaddr_request, sizeof getaddr_request,
					sizeof getaddr_request));
	cr_expect_not(netlink_text_could_be((const unsigned char *)"x", 1, 1), "one byte");
	cr_expect_not(netlink_text_could_be(getaddr_request, 12, 12), "a part of a header");
	cr_expect_not(netlink_text_could_be(getaddr_request, 20, 19), "longer than the call");
	uint32_t seed = 7;
	unsigned char bytes[64];
	char out[512];
	for (int round = 0; round < 4000; round++) {
		size_t len = (size_t)round % sizeof bytes;
		for (size_t i = 0; i < len; i++) {
			seed = seed * 1103515245u + 12345u;
			bytes[i] = (unsigned char)(seed >> 16);
		}
		if (round % 2 && len >= NLMSG_HDRLEN) {
			uint32_t message_len = (uint32_t)len;
			memcpy(bytes, &message_len, sizeof message_len);
		}
		if (netlink_text(NETLINK_ROUTE, bytes, len, len, out, sizeof out))
			cr_assert(netlink_text_could_be(bytes, len, len), "round %d: shut", round);
	}
}
