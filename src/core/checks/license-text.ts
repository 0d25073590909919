/**
 * Which licence a LICENSE file's text is, from phrases each licence's text has and the others do
 * not. Only the licences Python projects commonly ship are known; an unknown text is undefined
 * (never guessed). The ids are SPDX licence ids, or for the GNU licences the id stem that the
 * `-only` and `-or-later` ids share.
 */

interface Fingerprint {
  /** SPDX id, or the stem of the GNU ids (GPL-3.0 for GPL-3.0-only / GPL-3.0-or-later). */
  id: string;
  all: readonly string[];
  none?: readonly string[];
}

// Ordered so that a licence whose text quotes another's (LGPL quotes the GPL's name) comes first.
const FINGERPRINTS: readonly Fingerprint[] = [
  { id: "AGPL-3.0", all: ["gnu affero general public license version 3 19 november 2007"] },
  { id: "LGPL-3.0", all: ["gnu lesser general public license version 3 29 june 2007"] },
  { id: "LGPL-2.1", all: ["gnu lesser general public license version 2 1 february 1999"] },
  {
    id: "GPL-3.0",
    all: ["gnu general public license version 3 29 june 2007"],
  },
  { id: "GPL-2.0", all: ["gnu general public license version 2 june 1991"] },
  { id: "Apache-2.0", all: ["apache license", "version 2 0"] },
  { id: "MPL-2.0", all: ["mozilla public license version 2 0"] },
  { id: "EPL-2.0", all: ["eclipse public license v 2 0"] },
  { id: "BSL-1.0", all: ["boost software license version 1 0"] },
  { id: "CC0-1.0", all: ["cc0 1 0 universal"] },
  { id: "Unlicense", all: ["this is free and unencumbered software released into the public domain"] },
  { id: "PSF-2.0", all: ["python software foundation license version 2"] },
  {
    id: "Zlib",
    all: [
      "provided as is without any express or implied warranty",
      "altered source versions must be plainly marked as such",
    ],
  },
  {
    id: "ISC",
    all: [
      "permission to use copy modify and or distribute this software for any purpose with or without fee is hereby granted",
      "provided that the above copyright notice and this permission notice appear in all copies",
    ],
  },
  {
    id: "0BSD",
    all: [
      "permission to use copy modify and or distribute this software for any purpose with or without fee is hereby granted",
    ],
    none: ["provided that the above copyright notice and this permission notice appear in all copies"],
  },
  {
    id: "MIT",
    all: [
      "permission is hereby granted free of charge to any person obtaining a copy",
      "shall be included in all copies or substantial portions",
    ],
  },
  {
    id: "BSD-3-Clause",
    all: ["redistribution and use in source and binary forms with or without modification are permitted"],
    none: ["all advertising materials mentioning features or use of this software"],
  },
];

// Clause 3 of BSD-3-Clause ("Neither the name of ... nor the names of its contributors ...").
const BSD_THIRD_CLAUSE = "may be used to endorse or promote products derived from this software";

/** Lower case, every run of non-alphanumerics one space: layout and punctuation do not matter. */
export function normalizeLicenseText(text: string): string {
  return ` ${text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, " ")
    .trim()} `;
}

/**
 * The licences a text is, in fingerprint order (a file may hold several, e.g. a dual licence).
 * Only the first 64 KiB are read: every licence known here states itself well before that.
 */
export function identifyLicenses(text: string): string[] {
  const norm = normalizeLicenseText(text.slice(0, 64 * 1024));
  const found: string[] = [];
  for (const fp of FINGERPRINTS) {
    if (!fp.all.every((p) => norm.includes(` ${p} `))) continue;
    if (fp.none?.some((p) => norm.includes(` ${p} `))) continue;
    if (fp.id === "BSD-3-Clause" && !norm.includes(` ${BSD_THIRD_CLAUSE} `)) {
      found.push("BSD-2-Clause");
      continue;
    }
    found.push(fp.id);
  }
  // The GPL's name appears in the LGPL's text; a text that is an LGPL is not also a GPL.
  if (found.some((id) => id.startsWith("LGPL-"))) return found.filter((id) => !id.startsWith("GPL-"));
  return found;
}

/** Whether an SPDX id of an expression (GPL-3.0-or-later, MIT) is the licence a text was found to be. */
export function sameLicense(expressionId: string, identified: string): boolean {
  const id = expressionId.replace(/\+$/, "");
  return id === identified || id === `${identified}-only` || id === `${identified}-or-later`;
}
