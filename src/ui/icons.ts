/** Inline SVG icons (no icon font, nothing fetched). Decorative: hidden from assistive tech. */

const PATHS = {
  trash: "M3 6h18M8 6V4h8v2m-9 0 1 14h8l1-14M10 10v7m4-7v7",
  folder: "M3 7a2 2 0 0 1 2-2h4l2 2h8a2 2 0 0 1 2 2v8a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2z",
  chevron: "m9 6 6 6-6 6",
  plus: "M12 5v14M5 12h14",
  search: "m21 21-4.3-4.3M10.5 18a7.5 7.5 0 1 1 0-15 7.5 7.5 0 0 1 0 15z",
  copy: "M9 9h10v10H9zM5 15V5h10",
  menu: "M4 6h16M4 12h16M4 18h16",
  network: "M12 3v6m0 0H6v4m6-4h6v4M4 13h4v4H4zm12 0h4v4h-4zM10 3h4v3h-4z",
  key: "M15 7a4 4 0 1 0-3.9 5L6 17v3h3v-2h2v-2h2l1.1-1.1A4 4 0 0 0 15 7zm1.5-.5h.01",
  edit: "M4 20h4L19 9l-4-4L4 16zM14 6l4 4",
} as const;

export type IconName = keyof typeof PATHS;

export function icon(name: IconName): SVGSVGElement {
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("width", "16");
  svg.setAttribute("height", "16");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  svg.setAttribute("class", `icon icon-${name}`);
  const path = document.createElementNS("http://www.w3.org/2000/svg", "path");
  path.setAttribute("d", PATHS[name]);
  path.setAttribute("fill", "none");
  path.setAttribute("stroke", "currentColor");
  path.setAttribute("stroke-width", "2");
  path.setAttribute("stroke-linecap", "round");
  path.setAttribute("stroke-linejoin", "round");
  svg.append(path);
  return svg;
}
