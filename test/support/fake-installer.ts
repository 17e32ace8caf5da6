/**
 * A stand-in for a Nix installer script: it records its arguments, the configuration handed to
 * it and its whole environment in $HOME/installer-record, then "installs" a fake nix (which only
 * answers --version) into $HOME/.nix-profile/bin.
 */

export const FAKE_NIX_VERSION = '2.99.1';

export const FAKE_INSTALLER = `#!/bin/sh
PATH=/usr/bin:/bin
export PATH
rec="$HOME/installer-record"
{
  echo "args: $*"
  echo "NIX_INSTALLER_YES=\${NIX_INSTALLER_YES:-}"
  echo "NIX_INSTALLER_NO_CONFIRM=\${NIX_INSTALLER_NO_CONFIRM:-}"
  echo "extra-conf-env<<END"
  printf '%s\\n' "\${NIX_INSTALLER_EXTRA_CONF:-}"
  echo "END"
  prev=""
  for a in "$@"; do
    if [ "$prev" = "--nix-extra-conf-file" ]; then echo "conf-file<<END"; cat "$a"; echo "END"; fi
    prev="$a"
  done
  echo "env<<END"
  env
  echo "END"
} > "$rec"
mkdir -p "$HOME/.nix-profile/bin"
cat > "$HOME/.nix-profile/bin/nix" <<'EOF'
#!/bin/sh
if [ "$1" = "--version" ]; then echo "nix (Nix) ${FAKE_NIX_VERSION}"; exit 0; fi
echo "fake nix: $*" >&2
exit 1
EOF
chmod +x "$HOME/.nix-profile/bin/nix"
echo "fake installer: installed into $HOME/.nix-profile"
`;

/** Parses the record: `name: value` lines and `name<<END ... END` blocks. */
export function parseRecord(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const block = /^([\w-]+)<<END$/.exec(line);
    if (block) {
      const body: string[] = [];
      i++;
      while (i < lines.length && lines[i] !== 'END') body.push(lines[i++]!);
      out[block[1]!] = body.join('\n');
    } else {
      const m = /^([\w-]+)[:=] ?(.*)$/.exec(line);
      if (m) out[m[1]!] = m[2]!;
    }
  }
  return out;
}
