/* SPDX-License-Identifier: MIT */
/* lwipopts.h: how husk builds lwIP (Debian's lwip 2.1.3 source, fetched by
   scripts/lwip-source.sh). Only the raw API: no lwIP threads, no sockets or
   netconn layer of its own (husk's socket layer in kernel/net/ is the
   API), every call made under husk's one network lock (net.h). Memory for
   pbufs, pcbs and segments comes from the kernel heap, so nothing is fixed
   in size at build time except the limits below. */
#ifndef HUSK_LWIPOPTS_H
#define HUSK_LWIPOPTS_H

#define NO_SYS 1
#define SYS_LIGHTWEIGHT_PROT 0
#define LWIP_SOCKET 0
#define LWIP_NETCONN 0
#define LWIP_TIMERS 1

/* memory: the kernel heap for everything (kmalloc via mem_clib_*) */
#define MEM_LIBC_MALLOC 1
#define MEMP_MEM_MALLOC 1
#define MEM_ALIGNMENT 8
#define mem_clib_malloc husk_lwip_malloc
#define mem_clib_calloc husk_lwip_calloc
#define mem_clib_free husk_lwip_free
/* with MEMP_MEM_MALLOC these only bound what lwIP's own checks assume */
#define MEMP_NUM_TCP_PCB 4096
#define MEMP_NUM_TCP_PCB_LISTEN 256
#define MEMP_NUM_UDP_PCB 1024
#define MEMP_NUM_TCP_SEG 16384
#define MEMP_NUM_REASSDATA 64
#define MEMP_NUM_FRAG_PBUF 256
#define MEMP_NUM_SYS_TIMEOUT 16
#define PBUF_POOL_SIZE 512
/* a pool buffer holds a whole Ethernet frame (FACTS.md: Debian's 616-byte
   ones overflowed) */
#define PBUF_POOL_BUFSIZE 1536

/* protocols */
#define LWIP_IPV4 1
#define LWIP_IPV6 1
#define LWIP_IPV6_MLD 0
#define LWIP_IPV6_AUTOCONFIG 0
#define LWIP_IPV6_DHCP6 0
#define IPV6_FRAG_COPYHEADER 1 /* 64-bit pointers do not fit the header */
#define LWIP_IPV6_SEND_ROUTER_SOLICIT 0
#define LWIP_ICMP 1
#define LWIP_RAW 0
#define LWIP_UDP 1
#define LWIP_TCP 1
#define LWIP_ARP 1
#define ARP_TABLE_SIZE 64
#define ARP_QUEUEING 1
#define ETHARP_SUPPORT_STATIC_ENTRIES 0
#define IP_FORWARD 0
#define IP_REASSEMBLY 1
#define IP_FRAG 1
#define IP_REASS_MAX_PBUFS 64
#define LWIP_DHCP 0
#define LWIP_AUTOIP 0
#define LWIP_DNS 0
#define LWIP_IGMP 0
#define LWIP_BROADCAST_PING 0
#define SO_REUSE 1
#define SO_REUSE_RXTOALL 1
#define LWIP_TCP_KEEPALIVE 1
#define LWIP_SO_RCVBUF 0

/* TCP: a 1 MiB window each way (window scaling), Nagle as Linux */
#define TCP_MSS 1460
#define LWIP_WND_SCALE 1
#define TCP_RCV_SCALE 5
#define TCP_WND (1024 * 1024)
#define TCP_SND_BUF (1024 * 1024)
#define TCP_SND_QUEUELEN (4 * TCP_SND_BUF / TCP_MSS)
#define TCP_SNDLOWAT 32768 /* lwIP: at most 4 MSS below 64 KiB */
#define TCP_SNDQUEUELOWAT (TCP_SND_QUEUELEN / 4)
#define TCP_QUEUE_OOSEQ 1
#define TCP_OOSEQ_MAX_BYTES (1024 * 1024)
#define TCP_LISTEN_BACKLOG 1
#define TCP_DEFAULT_LISTEN_BACKLOG 0xff
#define LWIP_TCP_TIMESTAMPS 0
#define TCP_OVERSIZE TCP_MSS
#define LWIP_TCP_SACK_OUT 0
#define LWIP_CALLBACK_API 1
#define LWIP_EVENT_API 0

/* the interfaces: loopback always; taps from the config */
#define LWIP_NETIF_LOOPBACK 1
#define LWIP_HAVE_LOOPIF 1
#define LWIP_LOOPIF_MULTICAST 0
#define LWIP_LOOPBACK_MAX_PBUFS 0
#define LWIP_NETIF_LOOPBACK_MULTITHREADING 0
#define LWIP_NETIF_STATUS_CALLBACK 0
#define LWIP_NETIF_LINK_CALLBACK 0
#define LWIP_NETIF_HOSTNAME 0
#define LWIP_SINGLE_NETIF 0
#define LWIP_CHECKSUM_CTRL_PER_NETIF 1
#define LWIP_CHECKSUM_ON_COPY 0
#define ETH_PAD_SIZE 0

#define LWIP_STATS 0
#define LWIP_STATS_DISPLAY 0
#define LWIP_DEBUG 0
#define LWIP_PERF 0

/* no other OS around: husk's random numbers */
#define LWIP_RAND() husk_lwip_rand()

/* every IP packet received, before lwIP looks at it: husk counts lo's
   (netif.c; 0 lets lwIP go on) */
#define LWIP_HOOK_IP4_INPUT(p, inp) husk_lwip_ip_input(p, inp)
#define LWIP_HOOK_IP6_INPUT(p, inp) husk_lwip_ip_input(p, inp)

#ifndef __ASSEMBLER__
#include <stddef.h>
#include <stdint.h>
void *husk_lwip_malloc(size_t n);
void *husk_lwip_calloc(size_t n, size_t m);
void husk_lwip_free(void *p);
uint32_t husk_lwip_rand(void);
struct pbuf;
struct netif;
int husk_lwip_ip_input(struct pbuf *p, struct netif *inp);
#endif

#endif
