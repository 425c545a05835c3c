// The home page's pictures: New Zealand's network (vis-network) and the timeline
// (vis-timeline), drawn from JSON the server embeds; each item links to its page.
(function () {
  "use strict";

  function data(id) {
    var element = document.getElementById(id);
    return element ? JSON.parse(element.textContent) : null;
  }

  // One colour per kind of resource (the IRI segment), readable on white.
  var COLOURS = {
    country: "#1f6f8b",
    organisation: "#b5541c",
    agency: "#6a4c93",
    agreement: "#2e7d32",
    programme: "#8d6e00",
    fund: "#8d6e00",
    operation: "#c62828",
    meeting: "#00838f",
    threat: "#5d4037",
    other: "#555555",
  };

  // A key to the colours, for the kinds the diagram shows.
  function legend(host, nodes) {
    var list = document.createElement("ul");
    list.className = "legend";
    Array.from(new Set(nodes.map(function (n) { return n.group; }))).sort().forEach(function (g) {
      var item = document.createElement("li");
      var swatch = document.createElement("span");
      swatch.className = "swatch";
      swatch.style.background = COLOURS[g] || COLOURS.other;
      item.appendChild(swatch);
      item.appendChild(document.createTextNode(g));
      list.appendChild(item);
    });
    host.insertAdjacentElement("afterend", list);
  }

  function drawNetwork() {
    var graph = data("network-data");
    var host = document.getElementById("network");
    if (!graph || !host || !window.vis || !graph.nodes.length) return;
    var hrefs = {};
    var nodes = graph.nodes.map(function (node) {
      hrefs[node.id] = node.href;
      var nz = /\/country\/new-zealand$/.test(node.id);
      return {
        id: node.id,
        label: node.label,
        title: node.label + " (" + node.group + ")",
        shape: nz ? "star" : "dot",
        size: nz ? 28 : 14,
        color: COLOURS[node.group] || COLOURS.other,
        font: { size: nz ? 18 : 13, color: "#1b1b1b", strokeWidth: 3, strokeColor: "#ffffff" },
      };
    });
    var edges = graph.edges.map(function (edge) {
      return {
        from: edge.from,
        to: edge.to,
        title: edge.label,
        color: { color: "#9aa5b1", highlight: "#1f6f8b" },
      };
    });
    var network = new vis.Network(
      host,
      { nodes: new vis.DataSet(nodes), edges: new vis.DataSet(edges) },
      {
        // Spread a hub with many leaves; labels appear once zoomed in far enough.
        physics: {
          solver: "forceAtlas2Based",
          forceAtlas2Based: { gravitationalConstant: -60, springLength: 110, avoidOverlap: 0.4 },
          stabilization: { iterations: 300 },
        },
        nodes: { scaling: { label: { enabled: true, drawThreshold: 4 } } },
        interaction: { hover: true, keyboard: { enabled: true, bindToWindow: false } },
      }
    );
    network.once("stabilizationIterationsDone", function () {
      network.fit();
    });
    network.on("click", function (event) {
      if (event.nodes.length && hrefs[event.nodes[0]]) window.location.href = hrefs[event.nodes[0]];
    });
    legend(host, graph.nodes);
    host.dataset.nodes = String(nodes.length);
    window.nzsaNetwork = network;
  }

  function shift(isoDate, years) {
    var date = new Date(isoDate);
    date.setFullYear(date.getFullYear() + years);
    return date;
  }

  function first(items) {
    return items.map(function (item) { return item.start; }).sort()[0];
  }

  function last(items) {
    return items.map(function (item) { return item.end || item.start; }).sort().pop();
  }

  function drawTimeline() {
    var items = data("timeline-data");
    var host = document.getElementById("timeline");
    if (!items || !host || !window.vis || !items.length) return;
    var today = new Date().toISOString().slice(0, 10);
    var groups = {};
    var shown = items.map(function (item) {
      groups[item.group] = item.kind;
      var ongoing = !item.end && /–\s*ongoing$/.test(item.when);
      return {
        id: item.id,
        content: item.content,
        title: item.content + ": " + item.when,
        start: item.start,
        end: item.end || (ongoing ? today : undefined),
        type: item.end || ongoing ? "range" : "point",
        group: item.group,
        className: "kind-" + item.group,
      };
    });
    var timeline = new vis.Timeline(
      host,
      new vis.DataSet(shown),
      new vis.DataSet(
        Object.keys(groups).map(function (g) {
          return { id: g, content: groups[g] };
        })
      ),
      {
        stack: true,
        zoomable: true,
        horizontalScroll: true,
        zoomKey: "ctrlKey",
        margin: { item: 6 },
        // Room either side, so that points' labels at the ends are not cut off.
        start: shift(first(shown), -2),
        end: shift(last(shown), 6),
      }
    );
    var hrefs = {};
    items.forEach(function (item) {
      hrefs[item.id] = item.href;
    });
    timeline.on("select", function (event) {
      if (event.items.length && hrefs[event.items[0]]) window.location.href = hrefs[event.items[0]];
    });
    host.dataset.items = String(shown.length);
    window.nzsaTimeline = timeline;
  }

  drawNetwork();
  drawTimeline();
})();
