/* SPDX-License-Identifier: MIT */
/* config_test.c: cli/config.c under ASan and UBSan: --net specs parse
   into the fields the tender reads; a "net" entry in a JSON config, as a
   string or as an object, makes the very same struct husk_nic; sizes,
   relative image paths and rejected documents. (What a user sees, the
   messages and exit statuses: tests/host/config.t.) Prints TAP. */
#include <arpa/inet.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "husk/config.h"

/* The strings a config holds live as long as the process (cli.h), by
   design: a leak report here would be about that, not a bug. */
const char *__asan_default_options(void);
const char *__asan_default_options(void) { return "detect_leaks=0"; }

static int n, failed;
static char dir[] = "/tmp/husk-config-test-XXXXXX";

static void ok(int cond, const char *what)
{
    printf("%sok %d - %s\n", cond ? "" : "not ", ++n, what);
    failed |= !cond;
}

static uint32_t ip(const char *s)
{
    struct in_addr a;
    return inet_pton(AF_INET, s, &a) == 1 ? a.s_addr : 0xffffffff;
}

static int same_nic(const struct husk_nic *a, const struct husk_nic *b)
{
    return !strcmp(a->tap, b->tap) && a->has_mac == b->has_mac &&
           !memcmp(a->mac, b->mac, 6) && a->ip == b->ip &&
           a->masklen == b->masklen && a->gateway == b->gateway;
}

/* Write text to dir/name and load it over a zeroed config; the messages
   of refused documents go to /dev/null (config.t checks them). */
static int load(const char *name, const char *text, struct husk_config *cfg)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f || fputs(text, f) < 0 || fclose(f))
        return -2;
    *cfg = (struct husk_config){.mem = HUSK_DEFAULT_MEM};
    int saved = dup(2), null = open("/dev/null", O_WRONLY);
    dup2(null, 2);
    int r = config_load(path, cfg);
    dup2(saved, 2);
    close(saved);
    close(null);
    return r;
}

static void test_nic_parse(void)
{
    struct husk_nic a, b;
    char err[256];
    ok(!nic_parse("tap:tap0,mac=02:aB:cd:00:00:01,ip=10.0.0.2/16,gw=10.0.0.1",
                  &a, err, sizeof(err)) &&
           !strcmp(a.tap, "tap0") && a.has_mac &&
           !memcmp(a.mac, "\x02\xab\xcd\x00\x00\x01", 6) &&
           a.ip == ip("10.0.0.2") && a.masklen == 16 &&
           a.gateway == ip("10.0.0.1"),
       "a full --net spec fills every field, addresses in network order");
    ok(!nic_parse("tap:t,ip=192.168.1.5", &b, err, sizeof(err)) &&
           b.masklen == 24 && !b.gateway && !b.has_mac,
       "ip without /N: masklen 24, no gateway, no mac");
    ok(!nic_parse("tap:t", &b, err, sizeof(err)) && !b.ip && !b.masklen &&
           !b.gateway,
       "tap:NAME alone: no addresses");
    ok(!nic_parse("tap:t,ip=10.1.2.3/0", &b, err, sizeof(err)) &&
           b.masklen == 0,
       "/0 is a masklen of 0");

    static const char *const bad[] = {
        "",
        "tap",
        "tap:",
        "tun:x",
        "tap:0123456789abcdef",
        "tap:a/b",
        "tap:a b",
        "tap:..",
        "tap:t%d",
        "tap:t,",
        "tap:t,,ip=1.2.3.4",
        "tap:t,mac",
        "tap:t,mac=01:00:00:00:00:00",
        "tap:t,mac=00:00:00:00:00:00",
        "tap:t,mac=02:00:00:00:00",
        "tap:t,mac=02:00:00:00:00:00:00",
        "tap:t,mac=02-00-00-00-00-01",
        "tap:t,mac=2:0:0:0:0:1",
        "tap:t,ip=10.0.0.256",
        "tap:t,ip=10.0.0",
        "tap:t,ip=0.0.0.0",
        "tap:t,ip=10.0.0.2/33",
        "tap:t,ip=10.0.0.2/",
        "tap:t,ip=10.0.0.2/-1",
        "tap:t,ip=10.0.0.2/024",
        "tap:t,ip=10.0.0.2/24x",
        "tap:t,ip=10.0.0.2,ip=10.0.0.3",
        "tap:t,gw=10.0.0.1",
        "tap:t,ip=10.0.0.2,gw=10.0.0",
        "tap:t,dns=1.1.1.1",
    };
    int refused = 1;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        err[0] = 0;
        if (nic_parse(bad[i], &b, err, sizeof(err)) != -1 || !err[0] ||
            strchr(err, '\n')) {
            printf("# accepted, or no one-line reason: '%s'\n", bad[i]);
            refused = 0;
        }
    }
    ok(refused, "malformed specs are refused, each with a one-line reason");
}

static void test_nic_add(void)
{
    struct husk_config cfg = {0};
    struct husk_nic nic;
    char err[256], spec[32];
    int r = 0;
    for (int i = 0; i < HUSK_MAX_NICS; i++) {
        snprintf(spec, sizeof(spec), "tap:t%d", i);
        r |= nic_parse(spec, &nic, err, sizeof(err)) |
             nic_add(&cfg, &nic, err, sizeof(err));
    }
    ok(!r && cfg.nnics == HUSK_MAX_NICS, "HUSK_MAX_NICS interfaces fit");
    nic_parse("tap:more", &nic, err, sizeof(err));
    ok(nic_add(&cfg, &nic, err, sizeof(err)) == -1 &&
           cfg.nnics == HUSK_MAX_NICS,
       "one more is refused");
    cfg.nnics = 1;
    nic_parse("tap:t0", &nic, err, sizeof(err));
    ok(nic_add(&cfg, &nic, err, sizeof(err)) == -1, "a tap named twice");
}

static void test_json_net(void)
{
    struct husk_config cfg;
    struct husk_nic flag;
    char err[256];
    nic_parse("tap:tap0,mac=02:00:00:00:00:01,ip=10.0.0.2/24,gw=10.0.0.1",
              &flag, err, sizeof(err));
    int r =
        load("net.json",
             "{\"net\": [{\"tap\": \"tap0\", \"mac\": \"02:00:00:00:00:01\","
             " \"ip\": \"10.0.0.2\", \"masklen\": 24,"
             " \"gateway\": \"10.0.0.1\"},"
             " \"tap:tap0x,mac=02:00:00:00:00:01,ip=10.0.0.2/24,"
             "gw=10.0.0.1\","
             " {\"tap\": \"tap1\", \"ip\": \"10.0.0.2\"}]}",
             &cfg);
    ok(!r && cfg.nnics == 3 && same_nic(&cfg.nics[0], &flag),
       "a \"net\" object makes the same struct as the --net flag");
    flag.tap = "tap0x";
    ok(!r && same_nic(&cfg.nics[1], &flag),
       "a \"net\" string makes the same struct as the --net flag");
    ok(!r && cfg.nics[2].masklen == 24 && !cfg.nics[2].has_mac,
       "a \"net\" object without masklen: 24");
    ok(load("n2.json", "{\"net\": [{\"tap\": \"t\", \"masklen\": 8}]}", &cfg) ==
           -1,
       "a masklen without an ip is refused");
}

static void test_json_fields(void)
{
    struct husk_config cfg;
    char want[300];
    int r = load("f.json",
                 "{\"mem\": 8388609, \"cwd\": \"/w\", \"hostname\": \"h\","
                 " \"uid\": 1000, \"gid\": 100, \"trace\": true,"
                 " \"env\": [\"A=1\", \"B=\"], \"args\": [\"/p\", \"x\"],"
                 " \"rootfs\": \"r.img:ro\","
                 " \"disks\": [\"d.img:/data\", {\"path\": \"/abs.img\","
                 " \"mount\": \"/m\", \"readonly\": true}],"
                 " \"seccomp\": \"log\"}",
                 &cfg);
    ok(!r, "a document with every kind of key loads");
    ok(cfg.mem == 8388609 + 4095, "mem in bytes, rounded up to a page");
    ok(!strcmp(cfg.cwd, "/w") && !strcmp(cfg.hostname, "h") &&
           cfg.uid == 1000 && cfg.gid == 100 && cfg.trace &&
           cfg.seccomp == HUSK_SECCOMP_LOG,
       "cwd, hostname, uid, gid, trace, seccomp");
    ok(cfg.envc == 2 && !strcmp(cfg.envp[1], "B=") && cfg.argc == 2 &&
           !strcmp(cfg.argv[1], "x") && !cfg.argv[2],
       "env and args (NULL-terminated)");
    snprintf(want, sizeof(want), "%s/r.img", dir);
    ok(cfg.rootfs && !strcmp(cfg.rootfs, want) && cfg.rootfs_ro,
       "a relative rootfs is relative to the file's directory; :ro");
    snprintf(want, sizeof(want), "%s/d.img", dir);
    ok(cfg.ndisks == 2 && !strcmp(cfg.disks[0].path, want) &&
           !strcmp(cfg.disks[0].at, "/data") && !cfg.disks[0].ro &&
           !strcmp(cfg.disks[1].path, "/abs.img") &&
           !strcmp(cfg.disks[1].at, "/m") && cfg.disks[1].ro,
       "disks as strings and objects; absolute paths kept");
    ok(!load("m.json", "{\"mem\": \"512M\"}", &cfg) && cfg.mem == 512 << 20,
       "mem as a size string");
}

static void test_json_refused(void)
{
    static const char *const bad[] = {
        "",
        "{",
        "[]",
        "{\"mem\": [1]}",
        "{\"mem\": 1.5}",
        "{\"mem\": -1}",
        "{\"mem\": \"7M\"}",
        "{\"mem\": 99999999999999999999}",
        "{\"mem\": \"1G\", \"mem\": \"2G\"}",
        "{\"memory\": \"1G\"}",
        "{\"env\": \"A=1\"}",
        "{\"env\": [\"=1\"]}",
        "{\"env\": [1]}",
        "{\"args\": []}",
        "{\"args\": [\"\"]}",
        "{\"cwd\": \"x\"}",
        "{\"cwd\": null}",
        "{\"hostname\": \"\"}",
        "{\"uid\": -1}",
        "{\"gid\": 4294967295}",
        "{\"trace\": \"yes\"}",
        "{\"rootfs\": \"\"}",
        "{\"rootfs\": {\"path\": \"x\", \"ro\": true}}",
        "{\"rootfs\": {\"path\": \"x\", \"readonly\": 1}}",
        "{\"disks\": [\"x\"]}",
        "{\"disks\": [{\"path\": \"x\", \"mount\": \"m\"}]}",
        "{\"disks\": [\"a:/a\", \"b:/b\", \"c:/c\", \"d:/d\"]}",
        "{\"net\": {}}",
        "{\"net\": [{}]}",
        "{\"net\": [{\"tap\": \"t\", \"masklen\": 33, \"ip\": \"1.2.3.4\"}]}",
        "{\"net\": [{\"tap\": \"t\", \"masklen\": \"24\", \"ip\": "
        "\"1.2.3.4\"}]}",
        "{\"net\": [{\"tap\": \"t\", \"ip\": \"1.2.3.4/8\", \"masklen\": 8}]}",
        "{\"net\": [{\"tap\": \"t\", \"mac\": \"ff:ff:ff:ff:ff:ff\"}]}",
        "{\"net\": [{\"tap\": \"t\", \"speed\": 1}]}",
        "{\"net\": [\"tap:a\", \"tap:b\", \"tap:c\", \"tap:d\", \"tap:e\"]}",
        "{\"seccomp\": \"no\"}",
    };
    struct husk_config cfg;
    int refused = 1;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (load("bad.json", bad[i], &cfg) != -1) {
            printf("# accepted: %s\n", bad[i]);
            refused = 0;
        }
    ok(refused, "bad documents are refused");
}

int main(void)
{
    if (!mkdtemp(dir)) {
        printf("Bail out! mkdtemp\n");
        return 1;
    }
    printf("1..21\n");
    ok(parse_size("512M") == 512ULL << 20 && parse_size("2GiB") == 2ULL << 30 &&
           parse_size("4096") == 4096 && !parse_size("1.5G") &&
           !parse_size("") && !parse_size("16E") && !parse_size("1Q"),
       "parse_size");
    test_nic_parse();
    test_nic_add();
    test_json_net();
    test_json_fields();
    test_json_refused();
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        printf("# could not remove %s\n", dir);
    return failed;
}
