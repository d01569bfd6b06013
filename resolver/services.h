/* SPDX-License-Identifier: GPL-2.0-only */
/* services: port -> service name.
 *
 * TCP from conf_dir/tcp.conf, UDP (and UDP-Lite) from conf_dir/udp.conf,
 * each in netsniff-ng's format ("port, name" a line, '#' comments), then
 * /etc/services for whatever they do not name and for SCTP and DCCP. All
 * is read at load time, before the resolver is confined. A malformed line
 * is reported as "FILE:LINE: reason" and skipped.
 */
#ifndef FLOWTOP_SERVICES_H
#define FLOWTOP_SERVICES_H

#include <stdint.h>

struct services;

typedef void (*svc_report_fn)(void *ctx, const char *line);

/* Missing files are not errors (a missing conf_dir file is reported once
 * as a hint). NULL only when out of memory. etc_services is normally
 * "/etc/services"; either source may be NULL to skip it. */
struct services *svc_load(const char *conf_dir, const char *etc_services,
			  svc_report_fn report, void *ctx);
void svc_free(struct services *s);

/* Service name of port for protocol l4proto (IPPROTO_TCP, _UDP, _UDPLITE,
 * _SCTP, _DCCP), or NULL. The name is printable ASCII, at most
 * SERVICE_NAME_LEN - 1 bytes. */
const char *svc_name(const struct services *s, uint8_t l4proto, uint16_t port);

#endif
