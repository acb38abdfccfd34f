"""Copy the openly licensed official list files into the package as its offline snapshot.

Only public-domain / openly licensed government files are bundled (never the CC BY-NC
opensanctions_* folders). Text files are gzipped; MANIFEST.json records, per source, the
original file names, their sha256 (of the uncompressed bytes), where they came from and
their licence. Run from the repo root:

    python scripts/make_bundle.py ../shared/data/lists
"""

from __future__ import annotations

import gzip
import hashlib
import json
import shutil
import sys
from pathlib import Path

# source name -> (folder under the shared lists dir, {bundled file name: original file name})
BUNDLE = {
    "us_csl": ("trade_gov_csl/2022-05_full", {"consolidated.csv": "consolidated.csv"}),
    "ofac_cons_csv": (
        "ofac_consolidated/2025-12-19_legacy_csv",
        {f: f for f in ("cons_prim.csv", "cons_add.csv", "cons_alt.csv", "cons_comments.csv")},
    ),
    "ofac_cons_enhanced": (
        "ofac_consolidated/2025-01-10_enhanced_xml", {"CONS_ENHANCED.ZIP": "CONS_ENHANCED.ZIP"}
    ),
    "un_sc": ("un_sc/2026-02-27", {"consolidated.xml": "consolidated.xml"}),
    "uk_ofsi": ("uk_ofsi/2025-04-10_conlist_xlsx", {"ConList.xlsx": "UK_Sanctions_List.xlsx"}),
    "bis_dpl": ("bis_dpl/2023-11-30", {"dpl.txt": "dpl.txt"}),
}


def main(lists_dir: Path) -> None:
    out = Path("src/entityscreen/data/lists")
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    manifest = {}
    for source, (folder, files) in BUNDLE.items():
        if "opensanctions" in folder:
            raise SystemExit("refusing to bundle CC BY-NC data")
        dest = out / source
        dest.mkdir()
        entries = []
        for bundled, original in files.items():
            data = (lists_dir / folder / original).read_bytes()
            stored = bundled + ".gz"
            (dest / stored).write_bytes(gzip.compress(data, 9, mtime=0))
            entries.append({
                "file": bundled, "stored": stored, "sha256": hashlib.sha256(data).hexdigest(),
                "bytes": len(data), "snapshot": folder,
            })
        manifest[source] = entries
    (out / "MANIFEST.json").write_text(json.dumps(manifest, indent=2) + "\n")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
