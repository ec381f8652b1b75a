/* netlink_text — netlink messages as strace prints them.
 *
 * A program that asks the kernel about its interfaces (getaddrinfo with
 * AI_ADDRCONFIG: RTM_GETADDR on an AF_NETLINK socket) sends and receives
 * netlink messages: a struct nlmsghdr, a payload, the next message at its
 * aligned end. The decoder (syscalls.c) hands the bytes it read from the
 * tracee here and shows them as
 *
 *   [{nlmsg_len=20, nlmsg_type=RTM_GETADDR, nlmsg_flags=NLM_F_REQUEST|NLM_F_DUMP,
 *     nlmsg_seq=1796609787, nlmsg_pid=0}, {ifa_family=AF_UNSPEC, ...}]
 *
 * and several messages as [[{...}, {...}], [{...}, 0]]. NLMSG_ERROR,
 * NLMSG_DONE and NETLINK_ROUTE's address messages are decoded (their key
 * attributes IFA_ADDRESS, IFA_LOCAL, IFA_LABEL too); another type's
 * payload stays bytes.
 *
 * Nothing here reads the kernel or trusts a length: every nlmsg_len and
 * rta_len is checked against the bytes at hand, which may be a part of
 * what the call carried. Tested on byte arrays in tests/test_netlink_text.c.
 */
#ifndef SOCKLAB_NETLINK_TEXT_H
#define SOCKLAB_NETLINK_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/* Messages decoded in full, at most, before the rest are summed up by
 * type in a C comment ("then RTM_NEWADDR x3, NLMSG_DONE"); messages
 * counted in that summary before its "...". */
enum { NETLINK_TEXT_MESSAGES = 4, NETLINK_TEXT_COUNTED = 32 };

/* Writes `len` bytes, the first of the `total` a call carried, as the
 * netlink messages of a socket of `protocol` (NETLINK_ROUTE ...) into
 * `out` (`size` bytes: as many messages in full as fit with the summary
 * of the rest, the first at least named). Returns false, leaving `out`
 * unspecified, when it has no names for `protocol` or the bytes do not
 * start with a whole message header whose nlmsg_len fits `total`: the
 * caller shows them as bytes. */
bool netlink_text(int protocol, const unsigned char *bytes, size_t len, size_t total, char *out,
		  size_t size);

/* Whether the bytes start as netlink_text would read them (a whole header
 * whose nlmsg_len fits `total`): without it, nobody need ask the kernel
 * what kind of socket carried them. */
bool netlink_text_could_be(const unsigned char *bytes, size_t len, size_t total);

#endif
