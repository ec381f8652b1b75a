/* address: socket addresses as values, their text, and that text read back. */
#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/un.h>

#include "address.h"
#include "text.h"

/* The value of a sockaddr, its text, and the text read back: the same value. */
static const char *round_trip(const struct sockaddr *address, socklen_t len, char *out)
{
	struct lab_address value, again;
	lab_address_from_sockaddr(address, len, &value);
	lab_address_text(&value, out, TEXT_ADDRESS_MAX);
	cr_assert_eq(lab_address_parse(out, &again), 0, "\"%s\" does not read back", out);
	cr_assert(lab_address_equal(&value, &again), "\"%s\" reads back as another value", out);
	char direct[TEXT_ADDRESS_MAX];
	cr_assert_str_eq(text_address(address, len, direct, sizeof direct), out);
	return out;
}

static const char *ipv4(const char *host, unsigned port, char *out)
{
	struct sockaddr_in in = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	cr_assert_eq(inet_pton(AF_INET, host, &in.sin_addr), 1);
	return round_trip((const struct sockaddr *)&in, sizeof in, out);
}

static const char *ipv6(const char *host, unsigned port, char *out)
{
	struct sockaddr_in6 in6 = { .sin6_family = AF_INET6, .sin6_port = htons((uint16_t)port) };
	cr_assert_eq(inet_pton(AF_INET6, host, &in6.sin6_addr), 1);
	return round_trip((const struct sockaddr *)&in6, sizeof in6, out);
}

/* A unix address whose name is `len` bytes of `name` (abstract when it starts with NUL). */
static const char *unix_name(const char *name, size_t len, char *out)
{
	struct sockaddr_un un = { .sun_family = AF_UNIX };
	memcpy(un.sun_path, name, len);
	return round_trip((const struct sockaddr *)&un,
			  (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len), out);
}

Test(address, ipv4_reads_back)
{
	char out[TEXT_ADDRESS_MAX];
	cr_assert_str_eq(ipv4("127.0.0.1", 65432, out), "127.0.0.1:65432");
	cr_assert_str_eq(ipv4("255.255.255.255", 65535, out), "255.255.255.255:65535");
	cr_assert_str_eq(ipv4("10.0.0.1", 0, out), "10.0.0.1:0");
	cr_assert_str_eq(ipv4("0.0.0.0", 80, out), "0.0.0.0:80");
	/* No address and no port: none at all, as a listener's peer. */
	cr_assert_str_eq(ipv4("0.0.0.0", 0, out), "*");
}

Test(address, ipv6_reads_back)
{
	char out[TEXT_ADDRESS_MAX];
	cr_assert_str_eq(ipv6("::1", 65432, out), "[::1]:65432");
	cr_assert_str_eq(ipv6("::", 80, out), "[::]:80");
	cr_assert_str_eq(ipv6("::ffff:127.0.0.1", 80, out), "[::ffff:127.0.0.1]:80");
	cr_assert_str_eq(ipv6("fe80::1:2:3:4", 1, out), "[fe80::1:2:3:4]:1");
	cr_assert_str_eq(ipv6("::", 0, out), "*");
}

Test(address, unix_names_read_back)
{
	char out[TEXT_ADDRESS_MAX];
	cr_assert_str_eq(unix_name("./echo.sock", sizeof "./echo.sock", out), "./echo.sock");
	cr_assert_str_eq(unix_name("\0echo", 5, out), "@echo");
	cr_assert_str_eq(unix_name("\0a\nb\0c", 6, out), "@a\\nb\\x00c");
	cr_assert_str_eq(unix_name("/tmp/a \"b\"\\", 12, out), "/tmp/a \\\"b\\\"\\\\");
	cr_assert_str_eq(unix_name("", 0, out), "(unnamed)");
}

Test(address, netlink_and_other_families_read_back)
{
	char out[TEXT_ADDRESS_MAX];
	struct sockaddr_nl nl = { .nl_family = AF_NETLINK, .nl_pid = 4121 };
	cr_assert_str_eq(round_trip((const struct sockaddr *)&nl, sizeof nl, out),
			 "netlink port 4121");
	nl.nl_pid = 0;
	nl.nl_groups = 0x11;
	cr_assert_str_eq(round_trip((const struct sockaddr *)&nl, sizeof nl, out),
			 "netlink port 0 groups 0x11");
	cr_assert_str_eq(round_trip((const struct sockaddr *)&nl, 4, out), "(netlink)");
	struct sockaddr other = { .sa_family = AF_PACKET };
	cr_assert_str_eq(round_trip(&other, sizeof other, out), "(family 17)");
	cr_assert_str_eq(round_trip(&other, 1, out), "*");
}

Test(address, words_read_back_as_their_kinds)
{
	static const struct {
		const char *text;
		enum lab_address_kind kind;
	} words[] = {
		{ "", LAB_ADDRESS_EMPTY },           { "*", LAB_ADDRESS_NONE },
		{ "?", LAB_ADDRESS_UNKNOWN },        { "(unnamed)", LAB_ADDRESS_UNIX_UNNAMED },
		{ "(peer)", LAB_ADDRESS_UNIX_PEER }, { "(netlink)", LAB_ADDRESS_NETLINK_SHORT },
	};
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
		struct lab_address value;
		char out[TEXT_ADDRESS_MAX];
		cr_assert_eq(lab_address_parse(words[i].text, &value), 0, "%s", words[i].text);
		cr_assert_eq(value.kind, words[i].kind, "%s", words[i].text);
		cr_assert_str_eq(lab_address_text(&value, out, sizeof out), words[i].text);
		struct lab_address made = lab_address_of_kind(words[i].kind);
		cr_assert(lab_address_equal(&made, &value));
	}
}

/* A normalised trace writes some ports as tokens: "127.0.0.1:$3". */
Test(address, port_tokens_read_back)
{
	static const char *const texts[] = { "127.0.0.1:$3", "[::1]:$12", "[::ffff:127.0.0.1]:$1" };
	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		struct lab_address value;
		char out[TEXT_ADDRESS_MAX];
		cr_assert_eq(lab_address_parse(texts[i], &value), 0, "%s", texts[i]);
		cr_assert(value.flags & LAB_ADDRESS_PORT_TOKEN);
		cr_assert_str_eq(lab_address_text(&value, out, sizeof out), texts[i]);
	}
	struct lab_address token, port;
	lab_address_parse("127.0.0.1:$3", &token);
	lab_address_parse("127.0.0.1:3", &port);
	cr_assert_not(lab_address_equal(&token, &port));
}

/* What no value prints as is refused, not read as something near it. */
Test(address, refuses_what_does_not_print_back)
{
	static const char *const texts[] = {
		"0.0.0.0:0",                 /* prints "*" */
		"127.0.0.1:080",             /* no leading zeros */
		"127.0.0.1:65536",           /* no such port */
		"[::0001]:80",               /* prints "[::1]:80" */
		"[::1]:",                    /* no port */
		"[::1]:80x",                 /* an inet address, then more */
		"netlink port 01",           /* no leading zeros */
		"netlink port 1 groups 0x0", /* no groups print none */
		"(family 017)",              /* no leading zeros */
		"bad\\q",                    /* an escape text_escape never writes */
		"bad\\x4",                   /* half an escape */
		"@\\xZZ",                    /* no hex digits */
	};
	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		struct lab_address value;
		cr_assert_eq(lab_address_parse(texts[i], &value), -1, "%s", texts[i]);
		cr_assert_eq(value.kind, LAB_ADDRESS_EMPTY);
	}
}

/* Text that looks like no inet address is a unix path, as a socket's
 * family alone can tell apart. */
Test(address, other_text_reads_as_a_path)
{
	struct lab_address value;
	cr_assert_eq(lab_address_parse("echo.sock", &value), 0);
	cr_assert_eq(value.kind, LAB_ADDRESS_UNIX_PATH);
	cr_assert_eq(value.length, 9);
	cr_assert_eq(lab_address_parse("C:foo", &value), 0);
	cr_assert_eq(value.kind, LAB_ADDRESS_UNIX_PATH);
}

Test(address, cuts_to_the_room_it_is_given)
{
	struct lab_address value;
	char small[8];
	cr_assert_eq(lab_address_parse("192.168.100.200:40000", &value), 0);
	cr_assert_str_eq(lab_address_text(&value, small, sizeof small), "192.168");
}

Test(address, a_mapped_address_is_the_same_endpoint_as_its_ipv4)
{
	struct lab_address mapped, plain, other;
	lab_address_parse("[::ffff:127.0.0.1]:80", &mapped);
	lab_address_parse("127.0.0.1:80", &plain);
	lab_address_parse("127.0.0.1:81", &other);
	cr_assert_not(lab_address_equal(&mapped, &plain));
	cr_assert(lab_address_same_endpoint(&mapped, &plain));
	cr_assert(lab_address_same_endpoint(&plain, &mapped));
	cr_assert_not(lab_address_same_endpoint(&mapped, &other));
	cr_assert_eq(lab_address_hash(&plain, 1), lab_address_hash(&plain, 1));
	cr_assert_neq(lab_address_hash(&plain, 1), lab_address_hash(&other, 1));
}

/* Rows that tie on everything else are ordered by their texts. */
Test(address, compares_as_the_texts_do)
{
	struct lab_address a, b, none = lab_address_of_kind(LAB_ADDRESS_NONE);
	lab_address_parse("127.0.0.1:9", &a);
	lab_address_parse("127.0.0.1:10", &b);
	cr_assert_gt(lab_address_text_compare(&a, &b), 0);    /* "9" after "1" */
	cr_assert_lt(lab_address_text_compare(&none, &a), 0); /* "*" before digits */
	cr_assert_eq(lab_address_text_compare(&a, &a), 0);
}

/* A traced program's address goes on to the session as a sockaddr again. */
Test(address, gives_back_the_sockaddr_of_what_a_call_can_be_given)
{
	static const char *const texts[] = {
		"127.0.0.1:65432", "[::ffff:127.0.0.1]:80", "./echo.sock", "@echo", "@a\\x00b",
	};
	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		struct lab_address value, again;
		struct sockaddr_storage storage;
		cr_assert_eq(lab_address_parse(texts[i], &value), 0, "%s", texts[i]);
		socklen_t len = lab_address_to_sockaddr(&value, &storage);
		cr_assert_gt(len, 0, "%s", texts[i]);
		lab_address_from_sockaddr((const struct sockaddr *)&storage, len, &again);
		cr_assert(lab_address_equal(&value, &again), "%s", texts[i]);
	}
	static const char *const none[] = { "*", "?", "(unnamed)", "(peer)", "netlink port 1",
					    "127.0.0.1:$1" };
	for (size_t i = 0; i < sizeof none / sizeof none[0]; i++) {
		struct lab_address value;
		struct sockaddr_storage storage;
		cr_assert_eq(lab_address_parse(none[i], &value), 0, "%s", none[i]);
		cr_assert_eq(lab_address_to_sockaddr(&value, &storage), 0, "%s", none[i]);
	}
}
