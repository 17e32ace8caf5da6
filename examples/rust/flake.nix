# A Rust AWS Lambda function (custom runtime on provided.al2023), built with nixpkgs and
# deployed with the nix-lambda action. Copy this folder into your repository, then:
#
#   nix flake lock                  # pin nixpkgs; commit flake.lock
#   nix build .#default             # result/bin/bootstrap
#
# The build output is an ordinary Nix program: its ELF interpreter and its libraries' RUNPATHs
# point into /nix/store, which Lambda does not have. The action bundles that closure and patches
# it so it runs from /var/task; nothing here has to be Lambda-specific (no musl, no static linking).
{
  description = "hello-lambda: a Rust AWS Lambda function built with Nix";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-25.05";

  outputs = { self, nixpkgs }:
    let
      # Lambda's two architectures: x86_64 and arm64 (aarch64-linux). Build each on a runner of that
      # architecture (ubuntu-latest, ubuntu-24.04-arm), or use the cross-compiled output below.
      systems = [ "x86_64-linux" "aarch64-linux" ];
      forAllSystems = f: nixpkgs.lib.genAttrs systems (system: f nixpkgs.legacyPackages.${system});

      # The function, for a given package set (native, or cross via pkgsCross).
      hello-lambda = pkgs:
        pkgs.rustPlatform.buildRustPackage {
          pname = "hello-lambda";
          version = "0.1.0";
          # Only what cargo needs, so README or workflow edits do not rebuild the function.
          src = pkgs.lib.fileset.toSource {
            root = ./.;
            fileset = pkgs.lib.fileset.unions [ ./Cargo.toml ./Cargo.lock ./src ];
          };
          # Crates are vendored from Cargo.lock (this example has none; add yours with `cargo add`).
          cargoLock.lockFile = ./Cargo.lock;
          # Cargo.toml names the binary `bootstrap`, so the output holds bin/bootstrap.
          meta.mainProgram = "bootstrap";
        };
    in
    {
      packages = forAllSystems (pkgs:
        { default = hello-lambda pkgs; }
        # An arm64 function built on an x86_64 runner: `flake: .#aarch64-cross`.
        // nixpkgs.lib.optionalAttrs pkgs.stdenv.hostPlatform.isx86_64 {
          aarch64-cross = hello-lambda pkgs.pkgsCross.aarch64-multiplatform;
        });

      devShells = forAllSystems (pkgs: {
        default = pkgs.mkShell {
          packages = [ pkgs.cargo pkgs.rustc pkgs.rustfmt pkgs.clippy ];
        };
      });
    };
}
