# Helpers for the offline example. NOT how a real project builds: see the note in flake.nix.
#
# Without internet there is no nixpkgs to fetch, so these derivations (builder /bin/sh, no inputs)
# copy the build machine's own libraries into store paths. What comes out is still a genuine Nix
# build, shaped like a nixpkgs one: the program's ELF interpreter is a /nix/store loader and every
# library carries a /nix/store RUNPATH. That shape is exactly what the action has to undo for Lambda.
# Needs a Debian/Ubuntu x86_64 host with gcc, patchelf and libcurl4-openssl-dev, and a Nix that
# builds with `sandbox = false` (the sandbox would hide /lib and /usr/bin from the builders).
rec {
  system = "x86_64-linux";
  hostLib = "/lib/x86_64-linux-gnu";

  # A derivation whose build is a shell script, with the host's tools on PATH.
  mk = name: script: derivation {
    inherit name system;
    builder = "/bin/sh";
    args = [ "-c" "set -eu\n${script}" ];
    PATH = "/usr/bin:/bin";
  };

  glibcLibs = "ld-linux-x86-64.so.2 libc.so.6 libm.so.6 libpthread.so.0 libdl.so.2 librt.so.1 libresolv.so.2 libnss_files.so.2 libnss_dns.so.2";

  # Stands in for nixpkgs' glibc, which also keeps a libgcc_s.so.1 in its lib/ (dlopened by pthread_cancel).
  glibc = mk "glibc-host" ''
    mkdir -p $out/lib
    for f in ${glibcLibs} libgcc_s.so.1; do cp -L ${hostLib}/$f $out/lib/; done
  '';

  # Linker flags that link a program the way nixpkgs' compiler wrapper does:
  # the store loader as PT_INTERP and a store DT_RUNPATH (not DT_RPATH).
  ldFlags = rpath: "-Wl,--dynamic-linker=${glibc}/lib/ld-linux-x86-64.so.2 -Wl,--enable-new-dtags -Wl,-rpath,${rpath}";
}
