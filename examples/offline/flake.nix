# The offline example: a Lambda custom runtime in C that uses libcurl for the Runtime API.
#
# It builds with no internet and no nixpkgs (a flake with no inputs), which is what lets the
# README's first command and the project's tests run anywhere Nix runs. To get there, lib.nix
# copies the build machine's glibc, libcurl and libcurl's dependencies into store paths and
# gives each library a /nix/store RUNPATH, imitating what nixpkgs would build. The result has
# the shape that breaks the usual "copy ldd's output and patchelf" recipe: libcurl's own
# dependencies (OpenSSL, nghttp2, zlib, ...) are found only through libcurl's store RUNPATH,
# and Lambda's LD_LIBRARY_PATH puts Amazon Linux's older copies in /lib64 ahead of it.
#
# Real projects take their toolchain and libraries from nixpkgs instead: see ../rust
# (rustPlatform.buildRustPackage) and ../haskell (haskellPackages with the hal library).
#
#   nix build ./examples/offline#default --json --no-link
#
# needs an x86_64 Debian/Ubuntu host (gcc, patchelf, libcurl4-openssl-dev) and `sandbox = false`.
{
  description = "nix-lambda offline example: a C custom runtime whose libcurl closure is only reachable through store RUNPATHs";

  outputs = { self }:
    let
      l = import ./lib.nix;
      hostCurl = "${l.hostLib}/libcurl.so.4";

      # Every dependency of the host's libcurl except glibc's own libraries, each with a store RUNPATH.
      curlDeps = l.mk "curl-deps-host" ''
        mkdir -p $out/lib
        ldd ${hostCurl} | awk '$2 == "=>" && $3 ~ /^\// { print $1, $3 }' | while read name path; do
          case " ${l.glibcLibs} libgcc_s.so.1 " in *" $name "*) continue ;; esac
          cp -L "$path" "$out/lib/$name"
          chmod u+w "$out/lib/$name"
          patchelf --set-rpath "$out/lib:${l.glibc}/lib" "$out/lib/$name"
        done
        test -e $out/lib/libz.so.1
      '';

      # libcurl itself, pointing at curlDeps only through its RUNPATH.
      curl = l.mk "curl-host" ''
        mkdir -p $out/lib
        cp -L ${hostCurl} $out/lib/libcurl.so.4
        chmod u+w $out/lib/libcurl.so.4
        patchelf --set-rpath "${curlDeps}/lib:${l.glibc}/lib" $out/lib/libcurl.so.4
      '';

      # The function: bin/bootstrap, as a provided.al2023 runtime expects (the action ships it as `bootstrap`).
      bootstrap = l.mk "offline-example-runtime" ''
        mkdir -p $out/bin
        cp ${./runtime.c} runtime.c  # compile a copy: the binary keeps no reference to the source
        gcc -O2 -Wall -o $out/bin/bootstrap runtime.c ${l.ldFlags "${curl}/lib:${l.glibc}/lib"} \
          -Wl,-rpath-link,${curlDeps}/lib -L${curl}/lib -l:libcurl.so.4
      '';
    in
    {
      packages.${l.system}.default = bootstrap;
    };
}
