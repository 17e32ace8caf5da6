# A Haskell AWS Lambda function (custom runtime on provided.al2023) using the hal library,
# built with nixpkgs' GHC and deployed with the nix-lambda action. Copy this folder, then:
#
#   nix flake lock                  # pin nixpkgs; commit flake.lock
#   nix build .#default             # result/bin/bootstrap
#
# What Lambda needs beyond the executable, and how this flake provides it:
# - Shared libraries: GHC links Haskell code statically, but the executable still needs glibc,
#   libgmp, libffi, libnuma and (x86_64) libdw from nixpkgs. The action bundles them from the
#   closure; justStaticExecutables keeps GHC itself and the Haskell libraries out of it.
# - A locale: lib/locale/locale-archive, a small archive with en_US.UTF-8 only (Lambda's LANG).
#   The workflow bundles it with `include:` and the deploy sets LOCALE_ARCHIVE to it.
{
  description = "hello-lambda: a Haskell AWS Lambda function (hal) built with Nix";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-25.05";

  outputs = { self, nixpkgs }:
    let
      # x86_64 and arm64 (aarch64-linux) Lambda functions; build each on a runner of that architecture.
      systems = [ "x86_64-linux" "aarch64-linux" ];
      forAllSystems = f: nixpkgs.lib.genAttrs systems (system: f nixpkgs.legacyPackages.${system});

      # The cabal package, as nixpkgs' Haskell infrastructure builds it (also used by the dev shell).
      cabalPackage = pkgs:
        let
          src = pkgs.lib.fileset.toSource {
            root = ./.;
            fileset = pkgs.lib.fileset.unions [ ./hello-lambda.cabal ./Main.hs ];
          };
        in
        pkgs.haskellPackages.callCabal2nix "hello-lambda" src { };

      # What gets deployed: bin/bootstrap and lib/locale/locale-archive.
      hello-lambda = pkgs:
        let
          hlib = pkgs.haskell.lib.compose;
          # Only en_US.UTF-8: the full glibcLocales archive is over 200 MB, this one a few MB.
          locales = pkgs.glibcLocales.override {
            allLocales = false;
            locales = [ "en_US.UTF-8/UTF-8" ];
          };
        in
        pkgs.lib.pipe (cabalPackage pkgs) [
          # Static Haskell libraries, no reference to GHC: a closure of C libraries only.
          hlib.justStaticExecutables
          # Put the locale archive next to the program so the workflow can `include` it by a path
          # relative to the build output (the symlink also keeps it in the runtime closure).
          (hlib.overrideCabal (old: {
            postInstall = (old.postInstall or "") + ''
              mkdir -p $out/lib/locale
              ln -s ${locales}/lib/locale/locale-archive $out/lib/locale/locale-archive
            '';
          }))
        ];
    in
    {
      packages = forAllSystems (pkgs: {
        default = hello-lambda pkgs;
      });

      devShells = forAllSystems (pkgs: {
        default = pkgs.haskellPackages.shellFor {
          packages = _: [ (cabalPackage pkgs) ];
          nativeBuildInputs = [ pkgs.cabal-install ];
        };
      });
    };
}
