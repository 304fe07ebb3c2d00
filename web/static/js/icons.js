// Line drawings for the six OCOP groups: the picture of a product that has no
// photo (the demo catalog has none). Built with DOM calls, no markup strings,
// so they pass a strict Content-Security-Policy.

const SVG = 'http://www.w3.org/2000/svg';

// Each icon is a list of [element, attributes] on a 24×24 grid.
const SHAPES = {
  food: [ // a honey jar
    ['rect', { x: 7, y: 3, width: 10, height: 3, rx: 1 }],
    ['path', { d: 'M6 8h12l-1 12a1 1 0 0 1-1 1H8a1 1 0 0 1-1-1z' }],
    ['path', { d: 'M9 12h6M9 15h6' }],
  ],
  beverage: [ // a bottle
    ['path', { d: 'M10 2h4v4l2 3v12a1 1 0 0 1-1 1H9a1 1 0 0 1-1-1V9l2-3z' }],
    ['path', { d: 'M8 13h8' }],
  ],
  herbal: [ // a leaf
    ['path', { d: 'M5 19C5 9 11 4 20 4c0 9-5 15-15 15z' }],
    ['path', { d: 'M5 19l9-9' }],
  ],
  handicraft: [ // a woven basket
    ['path', { d: 'M3 10h18l-2 10H5z' }],
    ['path', { d: 'M7 10l5-6 5 6M8 14h8M9 17h6' }],
  ],
  flower: [ // a flower
    ['circle', { cx: 12, cy: 9, r: 2.2 }],
    ['path', { d: 'M12 6.8a2.8 2.8 0 1 1 2.8 -1.6M14.2 9a2.8 2.8 0 1 1 -0.6 3.6M12 11.2a2.8 2.8 0 1 1 -3.2 0.6M9.8 9a2.8 2.8 0 1 1 0.6 -3.6' }],
    ['path', { d: 'M12 11v10M12 17c2 0 3-1 4-3M12 18c-2 0-3-1-4-3' }],
  ],
  tourism: [ // a sampan on the river
    ['path', { d: 'M2 15h20l-3 5H5z' }],
    ['path', { d: 'M12 3v11M12 4l6 9h-6' }],
  ],
};

// groupIcon returns an <svg> for the group (a plain circle for an unknown one).
export function groupIcon(group) {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  svg.classList.add('icon');
  for (const [tag, attrs] of SHAPES[group] || [['circle', { cx: 12, cy: 12, r: 8 }]]) {
    const el = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
    svg.append(el);
  }
  return svg;
}
