// The words of the manager's portal tab, in Vietnamese and English: the ten
// data items Circular 02/2024/TT-BKHCN asks of a traced product (the keys the
// kiosk's export names them by), and the tab's own words. i18n.js merges them.

export default {
  'mgr.tab.portal': { vi: 'Cổng truy xuất', en: 'Trace portal' },
  'portal.hint': { vi: 'Mười thông tin Thông tư 02/2024/TT-BKHCN yêu cầu cho sản phẩm truy xuất nguồn gốc: sản phẩm nào còn thiếu gì trước khi gửi lên Cổng truy xuất quốc gia.', en: 'The ten items Circular 02/2024/TT-BKHCN asks of a traced product: what each product still lacks before it goes to the national traceability portal.' },
  'portal.csv': { vi: 'Tải tệp CSV', en: 'Download CSV' },
  'portal.json': { vi: 'Tải tệp JSON', en: 'Download JSON' },
  'portal.product': { vi: 'Sản phẩm', en: 'Product' },
  'portal.lots': { vi: 'Số lô', en: 'Lots' },
  'portal.complete': { vi: 'Đủ', en: 'Complete' },
  'portal.missing': { vi: 'Còn thiếu', en: 'Still lacking' },
  'portal.none_missing': { vi: 'Đủ cả mười thông tin', en: 'All ten items' },
  'portal.summary': { vi: '{full}/{total} sản phẩm đủ thông tin', en: '{full} of {total} products complete' },
  'portal.lot_missing': { vi: 'Lô {lot}: {items}', en: 'Lot {lot}: {items}' },
  'portal.item.name': { vi: 'Tên sản phẩm', en: 'Product name' },
  'portal.item.images': { vi: 'Hình ảnh', en: 'Images' },
  'portal.item.producer': { vi: 'Cơ sở sản xuất', en: 'Producer' },
  'portal.item.address': { vi: 'Địa chỉ', en: 'Address' },
  'portal.item.stages': { vi: 'Công đoạn (mã sản phẩm, địa điểm, thời gian)', en: 'Stages (product code, place, time)' },
  'portal.item.production_time': { vi: 'Thời gian sản xuất', en: 'Production time' },
  'portal.item.trace_code': { vi: 'Mã truy vết', en: 'Trace code' },
  'portal.item.brand_or_serial': { vi: 'Nhãn hiệu hoặc số sê-ri', en: 'Brand or serial' },
  'portal.item.shelf_life': { vi: 'Hạn sử dụng', en: 'Shelf life' },
  'portal.item.standards': { vi: 'Tiêu chuẩn áp dụng', en: 'Applied standards' },
};
