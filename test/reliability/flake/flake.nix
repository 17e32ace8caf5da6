{
  description = "Reliability suite: outputs that go wrong in the ways users hit (see test/reliability)";
  outputs = { self }:
    let
      l = import ../lib.nix;
      zlib = l.mk "zlib-1.2.13-host" "mkdir -p $out/lib; cp -L ${l.hostLib}/libz.so.1 $out/lib/";
      hello = ''
        cp ${../hello.c} hello.c
        gcc -O2 -o $out/bin/bootstrap hello.c ${l.ldFlags "${l.glibc}/lib"}
      '';
    in {
      packages.${l.system} = {
        # bin/bootstrap is a host shell script, bin/data random bytes, share/readme.txt not executable.
        notelf = l.mk "reliability-notelf" ''
          mkdir -p $out/bin $out/share
          printf '#!/bin/sh\necho hello\n' > $out/bin/bootstrap
          head -c 4096 /dev/zero | tr '\0' 'x' > $out/bin/data
          printf 'just text\n' > $out/share/readme.txt
          chmod 755 $out/bin/bootstrap $out/bin/data
        '';
        # An x86_64 program whose libz.so.1, in its own RUNPATH, is an aarch64 library.
        wrongarch = l.mk "reliability-wrongarch" ''
          mkdir -p $out/bin $out/lib
          printf '#include <zlib.h>\n#include <stdio.h>\nint main(void){puts(zlibVersion());return 0;}\n' > m.c
          gcc -O2 -o $out/bin/bootstrap m.c ${l.ldFlags "$out/lib:${l.glibc}/lib"} -L${zlib}/lib -l:libz.so.1
          cp -L /usr/aarch64-linux-gnu/lib/libm.so.6 $out/lib/libz.so.1
        '';
        # A build that fails, printing a recognisable tail.
        fails = l.mk "reliability-fails" ''
          echo "reliability: configuring"
          echo "reliability: compiling step 1 of 3"
          echo "reliability: step 3 failed on purpose (exit 3)" >&2
          exit 3
        '';
        # A build that takes long and never succeeds (sleep has no output: never cached): a run to signal mid-build.
        slowfail = l.mk "reliability-slowfail" ''
          echo "reliability: building slowly"
          # The sandbox is off in these tests: the suite reads this to end the builder it orphans.
          echo $$ > /tmp/nix-lambda-reliability-slowfail.pid
          exec sleep 20
        '';
        # A program and a large incompressible file: zipping takes seconds (signals, disk full).
        big = l.mk "reliability-big" ''
          mkdir -p $out/bin $out/share
          ${hello}
          head -c 48000000 /dev/urandom > $out/share/big.bin
        '';
        # Data whose symlinks point inside the output, out of the store, and at the root.
        symlinks = l.mk "reliability-symlinks" ''
          mkdir -p $out/bin $out/share/data $out/share/escape $out/share/rootdir
          ${hello}
          printf 'inside\n' > $out/share/data/ok.txt
          ln -s ok.txt $out/share/data/alias.txt
          ln -s /etc/hostname $out/share/escape/hostname
          printf 'fine\n' > $out/share/escape/fine.txt
          ln -s / $out/share/rootdir/root
          ln -s /etc/hostname $out/share/hostname-link
        '';
      };
    };
}
