#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/host/make_bad_elves.sh: make, at test time, the programs husk must
# refuse (bad ELF files and the like) from a static hello built here.
#
# usage: make_bad_elves.sh OUTDIR
#
# Writes OUTDIR/<case> files and OUTDIR/MANIFEST, one case a line, fields
# separated by tabs:
#     name  expected-status  message-ERE  description
# expected-status is a number, alternatives "125|126", or "nonzero";
# message-ERE is "-" when only the "husk: " prefix is checked. Case "ok" is
# the unmodified hello, which must run (exit 0, prints "hi").
#
# Fields are patched with python3 struct at Elf64_Ehdr / Elf64_Phdr offsets
# (see patch below); nothing binary is committed.
set -eu

out=${1:?usage: make_bad_elves.sh OUTDIR}
mkdir -p "$out"
cd "$out"
: >MANIFEST

cat >hello.c <<'EOF'
#include <stdio.h>
int main(void) { puts("hi"); return 0; }
EOF
gcc -static -O1 -o hello hello.c
gcc -O1 -o dynamic hello.c # the default: a dynamic PIE, with PT_INTERP

# patch SRC DST ASSIGNMENT...: copy SRC to DST (mode 755), then apply
# assignments "FIELD=EXPR", in order. FIELD is an Elf64_Ehdr field
# (e_ident[4], e_machine, e_phnum, ...) or "ph[I].p_xxx" / "load[I].p_xxx"
# (I-th program header / I-th PT_LOAD, negative from the end, * for all). EXPR is a
# Python expression over the ORIGINAL values: e (ehdr dict), ph, load
# (lists of phdr dicts) and size (file size).
patch() {
	python3 - "$@" <<'EOF'
import re, shutil, struct, sys
src, dst, assigns = sys.argv[1], sys.argv[2], sys.argv[3:]
EH = [("e_type", 16, "H"), ("e_machine", 18, "H"), ("e_version", 20, "I"),
      ("e_entry", 24, "Q"), ("e_phoff", 32, "Q"), ("e_shoff", 40, "Q"),
      ("e_flags", 48, "I"), ("e_ehsize", 52, "H"), ("e_phentsize", 54, "H"),
      ("e_phnum", 56, "H"), ("e_shentsize", 58, "H"), ("e_shnum", 60, "H"),
      ("e_shstrndx", 62, "H")]
PH = [("p_type", 0, "I"), ("p_flags", 4, "I"), ("p_offset", 8, "Q"),
      ("p_vaddr", 16, "Q"), ("p_paddr", 24, "Q"), ("p_filesz", 32, "Q"),
      ("p_memsz", 40, "Q"), ("p_align", 48, "Q")]
b = bytearray(open(src, "rb").read())
e = {n: struct.unpack_from("<" + f, b, o)[0] for n, o, f in EH}
phoffs = [e["e_phoff"] + i * 56 for i in range(e["e_phnum"])]
ph = [{n: struct.unpack_from("<" + f, b, base + o)[0] for n, o, f in PH}
      for base in phoffs]
for p, base in zip(ph, phoffs):
    p["_base"] = base
load = [p for p in ph if p["p_type"] == 1]
env = {"e": e, "ph": ph, "load": load, "size": len(b)}
for a in assigns:
    field, expr = a.split("=", 1)
    v = eval(expr, env)
    m = re.fullmatch(r"e_ident\[(\d+)\]", field)
    if m:
        b[int(m.group(1))] = v
        continue
    m = re.fullmatch(r"(ph|load)\[(-?\d+|\*)\]\.(\w+)", field)
    if m:
        lst = env[m.group(1)]
        bases = [p["_base"] for p in (lst if m.group(2) == "*"
                                      else [lst[int(m.group(2))]])]
        (o, f), = [(o, f) for n, o, f in PH if n == m.group(3)]
    else:
        bases = [0]
        (o, f), = [(o, f) for n, o, f in EH if n == field]
    for base in bases:
        struct.pack_into("<" + f, b, base + o,
                         v & ((1 << (8 * struct.calcsize(f))) - 1))
open(dst, "wb").write(b)
shutil.copymode(src, dst)
EOF
	cmp -s "$1" "$2" && { echo "patch $2: nothing changed" >&2; exit 1; }
	return 0
}

# case NAME EXPECT ERE DESCRIPTION
case_() { printf '%s\t%s\t%s\t%s\n' "$@" >>MANIFEST; }

K=0x1000 # page
T=$((1 << 40))

case_ ok 0 - "the unmodified static hello runs"
cp hello ok

# --- not a program at all ---------------------------------------------------
case_ missing 127 "missing" "a file that does not exist"
mkdir adir
case_ adir 126 "[Dd]irectory" "a directory"
: >empty && chmod 755 empty
case_ empty 126 - "an empty file"
printf 'hello, I am text\n' >text && chmod 755 text
case_ text 126 - "a text file (not ELF, no #!)"
printf '#!/nonexistent/interp\necho hi\n' >script_noint && chmod 755 script_noint
case_ script_noint 126 - "a script whose interpreter does not exist"
printf '#!/bin/sh\nexit 0\n' >script_sh && chmod 755 script_sh
case_ script_sh nonzero - "a #!/bin/sh script (refused until scripts and dynamic programs work)"
printf '#!' >script_empty && chmod 755 script_empty
case_ script_empty 126 - "a file of just '#!'"
cp hello noexec && chmod 644 noexec
case_ noexec 126 "[Pp]ermission" "a static ELF without execute permission"
printf '\177ELF' >magic_only && chmod 755 magic_only
case_ magic_only 126 - "just the ELF magic"
cp dynamic dynamic_pie
case_ dynamic_pie 126 "[Dd]ynamic" "a dynamically linked program (PT_INTERP)"

# --- ELF header ---------------------------------------------------------------
patch hello bad_magic 'e_ident[3]=ord("G")'
case_ bad_magic 126 - "a wrong magic (\\177ELG)"
patch hello elf32 'e_ident[4]=1'
case_ elf32 126 - "EI_CLASS = ELFCLASS32 (a 32-bit ELF)"
patch hello class0 'e_ident[4]=0'
case_ class0 126 - "EI_CLASS = 0"
patch hello bigendian 'e_ident[5]=2'
case_ bigendian 126 - "EI_DATA = ELFDATA2MSB (big-endian)"
patch hello aarch64 'e_machine=183'
case_ aarch64 126 - "e_machine = EM_AARCH64"
patch hello i386 'e_machine=3'
case_ i386 126 - "e_machine = EM_386 in a 64-bit file"
patch hello et_rel 'e_type=1'
case_ et_rel 126 - "e_type = ET_REL (an object file)"
patch hello et_core 'e_type=4'
case_ et_core 126 - "e_type = ET_CORE"
for n in 4 63 100 700 2000; do
	head -c $n hello >trunc_$n && chmod 755 trunc_$n
	case_ trunc_$n 126 - "the static hello truncated to $n bytes"
done
half=$(($(stat -c %s hello) / 2))
head -c $half hello >trunc_half && chmod 755 trunc_half
case_ trunc_half 126 - "the static hello truncated to half ($half bytes)"

# --- program header table -------------------------------------------------------
patch hello phnum_ffff 'e_phnum=0xffff'
case_ phnum_ffff 126 - "e_phnum = 0xffff (PN_XNUM, no section 0 to say more)"
patch hello phnum_0 'e_phnum=0'
case_ phnum_0 126 - "e_phnum = 0 (nothing to load)"
patch hello phoff_eof 'e_phoff=size+64'
case_ phoff_eof 126 - "e_phoff beyond the end of the file"
patch hello phoff_huge 'e_phoff=2**64-16'
case_ phoff_huge 126 - "e_phoff near 2^64 (offset + size overflows)"
patch hello phoff_tail 'e_phoff=size-100'
case_ phoff_tail 126 - "e_phoff so that the table crosses the end of the file"
patch hello phentsize_32 'e_phentsize=32'
case_ phentsize_32 126 - "e_phentsize = 32 (not sizeof(Elf64_Phdr))"
patch hello phentsize_57 'e_phentsize=57'
case_ phentsize_57 126 - "e_phentsize = 57"
patch hello phentsize_0 'e_phentsize=0'
case_ phentsize_0 126 - "e_phentsize = 0"

# --- PT_LOAD segments ---------------------------------------------------------------
patch hello no_load 'load[*].p_type=0'
case_ no_load 126 - "no PT_LOAD at all (all turned into PT_NULL)"
patch hello filesz_gt_memsz 'load[0].p_filesz=load[0]["p_memsz"]+16'
case_ filesz_gt_memsz 126 - "a PT_LOAD with p_filesz > p_memsz"
patch hello offset_eof 'load[-1].p_offset=load[-1]["p_offset"]+((size+0xfff)&~0xfff)'
case_ offset_eof 126 - "a PT_LOAD whose p_offset is beyond the end of the file"
patch hello filesz_eof 'load[-1].p_filesz=size' 'load[-1].p_memsz=size+load[-1]["p_memsz"]'
case_ filesz_eof 126 - "a PT_LOAD whose p_offset + p_filesz is beyond the end of the file"
patch hello filesz_huge 'load[-1].p_filesz=2**64-0x1000' 'load[-1].p_memsz=2**64-0x1000'
case_ filesz_huge "125|126" - "a PT_LOAD with p_filesz = p_memsz = 2^64 - 4096"
patch hello vaddr_wrap "load[-1].p_vaddr=2**64-$K+(load[-1]['p_vaddr']&0xfff)"
case_ vaddr_wrap 126 - "a PT_LOAD whose p_vaddr + p_memsz wraps past 2^64"
patch hello memsz_wrap 'load[-1].p_memsz=2**64-16'
case_ memsz_wrap "125|126" - "a PT_LOAD whose p_memsz makes p_vaddr + p_memsz wrap"
patch hello vaddr_kernel "load[-1].p_vaddr=0xffff800000000000+(load[-1]['p_vaddr']&0xfff)"
case_ vaddr_kernel 126 - "a PT_LOAD in the kernel half of the address space"
patch hello vaddr_noncanon "load[-1].p_vaddr=0x0000900000000000+(load[-1]['p_vaddr']&0xfff)"
case_ vaddr_noncanon 126 - "a PT_LOAD above the 47-bit user address space"
patch hello overlap 'load[0].p_memsz=load[1]["p_vaddr"]-load[0]["p_vaddr"]+0x2000'
case_ overlap 126 - "two overlapping PT_LOADs (the first grown into the second)"
patch hello overlap_same "load[1].p_vaddr=load[0]['p_vaddr']+(load[1]['p_offset']-load[0]['p_offset'])%$K"
case_ overlap_same 126 - "two PT_LOADs at the same address"
patch hello memsz_1t "load[-1].p_memsz=$T"
case_ memsz_1t "125|126" - "a PT_LOAD with p_memsz = 1 TiB (more than --mem)"
patch hello misaligned 'load[1].p_vaddr=load[1]["p_vaddr"]+8'
case_ misaligned 126 - "a PT_LOAD with p_vaddr % align != p_offset % align"

# --- entry point --------------------------------------------------------------------
patch hello entry_ro 'e_entry=load[0]["p_vaddr"]'
case_ entry_ro 126 - "e_entry in a read-only (non-executable) segment"
patch hello entry_0 'e_entry=0'
case_ entry_0 126 - "e_entry = 0"
patch hello entry_far 'e_entry=0x7fff00001000'
case_ entry_far 126 - "e_entry outside every segment"
patch hello entry_huge 'e_entry=2**64-1'
case_ entry_huge 126 - "e_entry = 2^64 - 1"
patch hello entry_bss 'e_entry=load[-1]["p_vaddr"]+load[-1]["p_memsz"]-8'
case_ entry_bss 126 - "e_entry in the writable data/bss segment"

# --- dynamic, another way -------------------------------------------------------------
gcc -O1 -no-pie -o dynamic_nopie hello.c
case_ dynamic_nopie 126 "[Dd]ynamic" "a dynamically linked non-PIE program"
