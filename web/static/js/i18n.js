// Every word the screens show, in Vietnamese and English, in one place. Pure:
// no DOM, so web/jstest/i18n.test.js checks that each key has both languages.
//
// t('cart.total') looks a key up in the current language; {name} in a string
// is filled from the second argument. Product names and descriptions come
// from the catalog (name / name_en), not from here; the catalog's units,
// certifications and origins are translated word by word from terms.js
// (unitName, certName, originName). The words of discounts, promotions and
// weighed goods are in i18n-pricing.js, those of invoices in
// i18n-invoice.js, those of the portal tab in i18n-portal.js, of stamp runs in
// i18n-stamps.js, merged here.

import INVOICE from './i18n-invoice.js';
import PORTAL from './i18n-portal.js';
import PRICING from './i18n-pricing.js';
import STAMPS from './i18n-stamps.js';
import TERMS from './terms.js';

export const LANGS = ['vi', 'en'];

// The six OCOP groups, in the programme's order.
export const GROUPS = ['food', 'beverage', 'herbal', 'handicraft', 'flower', 'tourism'];

export const dict = {
  // ---- shared ----
  'lang.name': { vi: 'Tiếng Việt', en: 'English' },
  'lang.switch': { vi: 'Đổi ngôn ngữ sang tiếng Anh', en: 'Switch language to Vietnamese' },
  'common.ok': { vi: 'Đồng ý', en: 'OK' },
  'common.cancel': { vi: 'Huỷ', en: 'Cancel' },
  'common.close': { vi: 'Đóng', en: 'Close' },
  'common.back': { vi: 'Quay lại', en: 'Back' },
  'common.loading': { vi: 'Đang tải…', en: 'Loading…' },
  'common.refresh': { vi: 'Làm mới', en: 'Refresh' },
  'common.delete': { vi: 'Xoá', en: 'Delete' },
  'common.backspace': { vi: 'Xoá một số', en: 'Delete one digit' },
  'common.clear': { vi: 'Xoá hết', en: 'Clear' },
  'common.save': { vi: 'Lưu', en: 'Save' },
  'conn.connected': { vi: 'Đã kết nối', en: 'Connected' },
  'disk.full': { vi: 'Bộ nhớ của quầy đã đầy: đơn hàng không lưu được. Hãy xoá bớt tệp cũ (bản in, bản sao lưu) — bán lại được ngay khi có chỗ.', en: 'The kiosk’s storage is full: sales cannot be saved. Delete old files (prints, backups) — selling resumes as soon as there is room.' },
  'disk.full_self': { vi: 'Quầy tự phục vụ tạm dừng thanh toán — mời quý khách thanh toán tại quầy thu ngân.', en: 'Self-service payment is paused — please pay at the counter.' },
  'conn.reconnecting': { vi: 'Đang kết nối lại…', en: 'Reconnecting…' },
  'printer.label': { vi: 'Máy in', en: 'Printer' },
  'printer.ready': { vi: 'sẵn sàng', en: 'ready' },
  'printer.paper_out': { vi: 'hết giấy', en: 'out of paper' },
  'printer.cover_open': { vi: 'đang mở nắp', en: 'cover open' },
  'printer.error': { vi: 'bị lỗi', en: 'error' },
  'printer.offline': { vi: 'mất kết nối', en: 'offline' },
  'printer.unknown': { vi: 'chưa rõ', en: 'unknown' },
  'printer.none': { vi: 'chưa có máy in', en: 'no printer' },
  'printer.queue': { vi: '{n} phiếu chờ in', en: '{n} waiting' },
  'sync.label': { vi: 'Đồng bộ', en: 'Sync' },
  'sync.offline': { vi: 'ngoại tuyến', en: 'offline' },
  'sync.online': { vi: 'đã đồng bộ', en: 'up to date' },
  'sync.pending': { vi: '{n} đơn chờ gửi', en: '{n} sales to send' },
  'sync.provisional': { vi: 'số hoá đơn tạm (dãy {series})', en: 'provisional receipt numbers (series {series})' },
  'sync.provisional_alone': { vi: 'Số hoá đơn tạm (dãy {series})', en: 'Provisional receipt numbers (series {series})' },
  'sync.provisional_why': { vi: 'Kho dữ liệu vừa được khôi phục hoặc mới: hoá đơn được đánh số theo dãy riêng cho đến khi máy chủ trung tâm xác nhận, để không trùng số nào đã cấp.', en: 'The store was restored or is new: receipts are numbered in a series of their own until the hub confirms, so that no number is issued twice.' },
  'catalog.price_changed': { vi: 'Giá mới từ trung tâm: {name} {old} → {new}', en: 'New central price: {name} {old} → {new}' },
  'net.offline': { vi: 'Chưa kết nối được với quầy — thử lại sau giây lát', en: 'Not connected to the kiosk — try again in a moment' },
  'nav.home': { vi: 'Trang chính', en: 'Home' },
  'nav.manager': { vi: 'Quản lý', en: 'Manager' },
  'keypad.label': { vi: 'Bàn phím số', en: 'Number pad' },

  // ---- catalog ----
  'group.all': { vi: 'Tất cả', en: 'All' },
  'group.food': { vi: 'Thực phẩm', en: 'Food' },
  'group.beverage': { vi: 'Đồ uống', en: 'Beverages' },
  'group.herbal': { vi: 'Thảo dược', en: 'Herbal products' },
  'group.handicraft': { vi: 'Thủ công mỹ nghệ', en: 'Handicrafts' },
  'group.flower': { vi: 'Hoa cây cảnh', en: 'Flowers & plants' },
  'group.tourism': { vi: 'Du lịch nông thôn', en: 'Rural tourism' },
  'filter.groups': { vi: 'Nhóm sản phẩm', en: 'Product groups' },
  'filter.stars': { vi: 'Hạng sao OCOP', en: 'OCOP stars' },
  'filter.provinces': { vi: 'Tỉnh', en: 'Province' },
  'stars.any': { vi: 'Mọi hạng', en: 'Any' },
  'stars.n': { vi: '{n} sao', en: '{n} stars' },
  'stars.ocop': { vi: 'OCOP {n} sao', en: 'OCOP {n} stars' },
  'province.all': { vi: 'Mọi tỉnh', en: 'All provinces' },
  'search.label': { vi: 'Tìm sản phẩm', en: 'Search products' },
  'search.placeholder': { vi: 'Tìm tên, mã vạch… (vd: mat ong)', en: 'Name, barcode… (e.g. honey)' },
  'search.clear': { vi: 'Xoá ô tìm', en: 'Clear search' },
  'grid.count': { vi: '{n} sản phẩm', en: '{n} products', en_one: '{n} product' },
  'grid.empty': { vi: 'Không tìm thấy sản phẩm nào', en: 'No products found' },
  'grid.failed': { vi: 'Không tải được danh mục', en: 'Could not load the catalog' },
  'stock.left': { vi: 'Còn {n}', en: '{n} left' },
  'stock.out': { vi: 'Hết hàng', en: 'Sold out' },
  'stock.sold_out_named': { vi: 'Hết hàng: {name}', en: 'Sold out: {name}' },
  'stock.only_left': { vi: '{name}: chỉ còn {n}', en: '{name}: only {n} left' },

  // ---- cart ----
  'cart.title': { vi: 'Giỏ hàng', en: 'Cart' },
  'cart.empty': { vi: 'Chưa có sản phẩm. Chạm vào sản phẩm hoặc quét mã vạch.', en: 'No items yet. Tap a product or scan a barcode.' },
  'cart.clear': { vi: 'Xoá giỏ', en: 'Clear cart' },
  'cart.cleared': { vi: 'Đã xoá giỏ hàng', en: 'Cart cleared' },
  'cart.undo': { vi: 'Hoàn tác', en: 'Undo' },
  'cart.total': { vi: 'Tổng cộng', en: 'Total' },
  'cart.items': { vi: '{n} món', en: '{n} items', en_one: '{n} item' },
  'cart.vat': { vi: 'Gồm thuế GTGT {rate}%', en: 'Includes VAT {rate}%' },
  'cart.plus': { vi: 'Thêm một', en: 'One more' },
  'cart.minus': { vi: 'Bớt một', en: 'One less' },
  'cart.remove': { vi: 'Bỏ khỏi giỏ', en: 'Remove' },
  'cart.qty': { vi: 'Số lượng', en: 'Quantity' },
  'cart.lot': { vi: 'Lô {lot}', en: 'Lot {lot}' },
  'cart.serials': { vi: 'Tem số {serials}', en: 'Serial {serials}' },
  'cart.set_qty': { vi: 'Đặt số lượng', en: 'Set quantity' },
  'cart.added': { vi: 'Đã thêm: {name}', en: 'Added: {name}' },
  'checkout': { vi: 'Thanh toán', en: 'Checkout' },

  // ---- payment ----
  'pay.title': { vi: 'Thanh toán', en: 'Payment' },
  'pay.methods': { vi: 'Hình thức thanh toán', en: 'Payment method' },
  'pay.cash': { vi: 'Tiền mặt', en: 'Cash' },
  'pay.vietqr': { vi: 'VietQR', en: 'VietQR' },
  'pay.card': { vi: 'Thẻ', en: 'Card' },
  'pay.ewallet': { vi: 'Ví điện tử', en: 'E-wallet' },
  'pay.split': { vi: 'Nhiều hình thức', en: 'Split' },
  'pay.tendered': { vi: 'Khách đưa', en: 'Cash given' },
  'pay.exact': { vi: 'Đủ tiền', en: 'Exact' },
  'pay.change': { vi: 'Tiền thừa', en: 'Change' },
  'pay.exact_cash': { vi: 'Tiền mặt đủ', en: 'Exact cash' },
  'pay.exact_cash_hint': { vi: 'Khách đưa đúng số tiền: bán ngay', en: 'The customer hands over the exact amount: sell at once' },
  'pay.short': { vi: 'Còn thiếu', en: 'Still due' },
  'pay.confirm': { vi: 'Xác nhận thanh toán', en: 'Confirm payment' },
  'pay.received': { vi: 'Đã nhận chuyển khoản', en: 'Transfer received' },
  'pay.waiting': { vi: 'Đang chờ khách chuyển khoản…', en: 'Waiting for the transfer…' },
  'pay.qr_preparing': { vi: 'Đang tạo mã VietQR…', en: 'Preparing the VietQR code…' },
  'pay.qr_retry': { vi: 'Tạo lại mã VietQR', en: 'Make the VietQR code again' },
  'pay.reference': { vi: 'Nội dung: {ref}', en: 'Reference: {ref}' },
  'pay.ref_optional': { vi: 'Mã giao dịch (không bắt buộc)', en: 'Transaction code (optional)' },
  'pay.card_hint': { vi: 'Quẹt hoặc chạm thẻ trên máy POS ngân hàng, rồi xác nhận.', en: 'Take the card on the bank terminal, then confirm.' },
  'pay.ewallet_hint': { vi: 'Khách trả bằng ví (MoMo, ZaloPay, ShopeePay…), rồi xác nhận.', en: 'The customer pays with a wallet app (MoMo, ZaloPay, ShopeePay…), then confirm.' },
  'pay.vietqr_hint': { vi: 'Khách quét mã trên màn hình khách bằng ứng dụng ngân hàng.', en: 'The customer scans the code on the customer display with a banking app.' },
  'pay.split_add': { vi: 'Thêm hình thức', en: 'Add a payment' },
  'pay.remaining': { vi: 'Còn lại', en: 'Remaining' },
  'pay.rest': { vi: 'Phần còn lại', en: 'The rest' },
  'pay.amount': { vi: 'Số tiền', en: 'Amount' },
  'pay.method': { vi: 'Hình thức', en: 'Method' },
  'pay.over': { vi: 'Thẻ, chuyển khoản, ví không được vượt tổng tiền', en: 'Card, transfer and wallet may not exceed the total' },
  'pay.busy': { vi: 'Đang ghi nhận đơn hàng…', en: 'Recording the sale…' },
  'pay.lost': { vi: 'Mất kết nối khi đang thanh toán — đang kiểm tra đơn này đã bán chưa', en: 'Connection lost during payment — checking whether this sale went through' },
  'pay.not_sold': { vi: 'Đơn vừa rồi chưa được ghi nhận — chưa bán gì. Thêm lại sản phẩm và thu tiền lại.', en: 'That checkout did not go through — nothing was sold. Add the goods again and take the payment again.' },
  'pay.unknown': { vi: 'Không kiểm tra được đơn vừa rồi — xem danh sách đơn ở trang Quản lý trước khi thu tiền lại.', en: 'Could not check that checkout — look at the sales on the manager page before taking the money again.' },
  'pay.scan_busy': { vi: 'Đang thanh toán — xong đơn này rồi hãy quét tiếp', en: 'Payment in progress — finish it before scanning' },
  'sale.paid': { vi: 'Đã thanh toán', en: 'Paid' },
  'sale.receipt': { vi: 'Hoá đơn {no}', en: 'Receipt {no}' },
  'sale.new': { vi: 'Đơn mới', en: 'New sale' },
  'sale.reprint': { vi: 'In lại', en: 'Reprint' },
  'sale.reprinted': { vi: 'Đã gửi lệnh in lại', en: 'Reprint queued' },
  'print.pending': { vi: 'Đang in hoá đơn…', en: 'Printing the receipt…' },
  'print.printed': { vi: 'Đã in hoá đơn', en: 'Receipt printed' },
  'print.failed': { vi: 'Không in được hoá đơn: {error}', en: 'The receipt could not print: {error}' },
  'print.problem': { vi: 'Chưa in được — máy in {state}. Hoá đơn sẽ tự in khi máy in sẵn sàng.', en: 'Not printed yet — printer {state}. It prints by itself once the printer is ready.' },
  'print.none': { vi: 'Không có lệnh in hoá đơn', en: 'No receipt to print' },
  'print.waiting': { vi: 'Hoá đơn vẫn đang chờ in', en: 'The receipt is still waiting to print' },

  // ---- self-service orders at the till ----
  'orders.button': { vi: 'Đơn chờ', en: 'Orders' },
  'orders.title': { vi: 'Đơn tự phục vụ chờ thanh toán', en: 'Self-service orders waiting for payment' },
  'orders.find': { vi: 'Mã nhận hàng hoặc nội dung chuyển khoản', en: 'Pickup code or transfer reference' },
  'orders.find_go': { vi: 'Tìm', en: 'Find' },
  'orders.empty': { vi: 'Không có đơn nào đang chờ.', en: 'No orders waiting.' },
  'orders.left': { vi: 'còn {time}', en: '{time} left' },
  'orders.time_up': { vi: 'hết giờ', en: 'time is up' },
  'orders.from': { vi: 'từ {till}', en: 'from {till}' },
  'orders.transfer': { vi: 'Đã nhận chuyển khoản', en: 'Transfer received' },
  'orders.take': { vi: 'Thu tiền mặt / thẻ', en: 'Take cash / card' },
  'orders.cancel': { vi: 'Huỷ đơn', en: 'Cancel order' },
  'orders.cancel_sure': { vi: 'Chạm lần nữa để huỷ', en: 'Tap again to cancel' },
  'orders.new': { vi: 'Đơn tự phục vụ mới {code}: {amount}', en: 'New self-service order {code}: {amount}' },
  'orders.now_paid': { vi: 'Đơn {code} đã được thanh toán', en: 'Order {code} is paid' },
  'orders.now_cancelled': { vi: 'Đơn {code} đã huỷ, hàng đã trả về kho', en: 'Order {code} was cancelled; its goods are back in stock' },
  'orders.now_expired': { vi: 'Đơn {code} đã hết giờ, hàng đã trả về kho', en: 'Order {code} ran out of time; its goods are back in stock' },
  'orders.not_found': { vi: 'Không có đơn nào mang mã {code}', en: 'No order with code {code}' },
  'orders.recent': { vi: 'Vừa đóng', en: 'Just closed' },
  'orders.ring_up': { vi: 'Bán lại tại quầy', en: 'Ring up at the till' },
  'orders.rung_up': { vi: 'Đã cho hàng của đơn {code} vào giỏ', en: 'The goods of order {code} are in the cart' },
  'orders.state.open': { vi: 'Đang chờ', en: 'Waiting' },
  'orders.state.paid': { vi: 'Đã thanh toán', en: 'Paid' },
  'orders.state.cancelled': { vi: 'Đã huỷ', en: 'Cancelled' },
  'orders.state.expired': { vi: 'Hết giờ', en: 'Expired' },
  'orders.pay_title': { vi: 'Thanh toán đơn {code}', en: 'Payment for order {code}' },
  'orders.vietqr_hint': { vi: 'Mở ứng dụng ngân hàng của quầy: thấy khoản chuyển đúng số tiền và nội dung này thì xác nhận.', en: "Look in the kiosk's banking app: when a transfer of this amount with this reference is in, confirm." },

  // ---- customer display ----
  'display.welcome': { vi: 'Xin chào quý khách!', en: 'Welcome!' },
  'display.tagline': { vi: 'Đặc sản OCOP — sản phẩm được chứng nhận của địa phương', en: 'OCOP specialities — certified local products' },
  'display.scan': { vi: 'Quét mã bằng ứng dụng ngân hàng để thanh toán', en: 'Scan with your banking app to pay' },
  'display.thanks': { vi: 'Cảm ơn quý khách!', en: 'Thank you!' },
  'display.change': { vi: 'Tiền thừa: {amount}', en: 'Your change: {amount}' },
  'display.see_you': { vi: 'Hẹn gặp lại!', en: 'See you again!' },

  // ---- tourist self-service ----
  'self.title': { vi: 'Sản phẩm OCOP', en: 'OCOP products' },
  'self.tagline': { vi: 'Đặc sản Cà Mau, Bến Tre, Trà Vinh — chứng nhận OCOP từ 3 đến 5 sao', en: 'Specialities of Cà Mau, Bến Tre and Trà Vinh — OCOP certified, 3 to 5 stars' },
  'self.touch': { vi: 'Chạm để bắt đầu', en: 'Touch to start' },
  'self.add': { vi: 'Thêm vào giỏ', en: 'Add to cart' },
  'self.added': { vi: 'Đã thêm vào giỏ', en: 'Added to your cart' },
  'self.producer': { vi: 'Nhà sản xuất', en: 'Producer' },
  'self.cert': { vi: 'Giấy chứng nhận OCOP {no}', en: 'OCOP certificate {no}' },
  'self.cert_until': { vi: 'hiệu lực đến {date}', en: 'valid until {date}' },
  'self.cert_expired': { vi: 'đã hết hạn', en: 'expired' },
  'self.lots': { vi: 'Lô hàng', en: 'Lots' },
  'self.no_lots': { vi: 'Chưa có thông tin lô hàng', en: 'No lot information yet' },
  'self.trace': { vi: 'Quét để xem nguồn gốc', en: 'Scan to trace its origin' },
  'self.trace_add': { vi: 'Thêm vào giỏ', en: 'Add to cart' },
  'self.unit_price': { vi: '{price} / {unit}', en: '{price} / {unit}' },
  'self.pay': { vi: 'Thanh toán', en: 'Check out' },
  'self.pay_hint': { vi: 'Quét mã bằng ứng dụng ngân hàng, giữ nguyên số tiền và nội dung. Nhân viên xác nhận khi tiền về.', en: 'Scan with your banking app and keep the amount and reference as they are. The staff confirm when the money is in.' },
  'self.paid': { vi: 'Tôi đã chuyển khoản', en: 'I have paid' },
  'self.pay_at_till': { vi: 'Tôi sẽ trả tại quầy', en: 'I will pay at the till' },
  'self.order_title': { vi: 'Đơn hàng {code}', en: 'Your order {code}' },
  'self.creating': { vi: 'Đang giữ hàng cho bạn…', en: 'Holding your items…' },
  'self.by_transfer': { vi: 'Chuyển khoản bằng VietQR', en: 'Pay by bank transfer (VietQR)' },
  'self.bank': { vi: 'Ngân hàng', en: 'Bank' },
  'self.account': { vi: 'Số tài khoản', en: 'Account number' },
  'self.holder': { vi: 'Chủ tài khoản', en: 'Account holder' },
  'self.reference': { vi: 'Nội dung chuyển khoản', en: 'Reference' },
  'self.at_till': { vi: 'Không có ứng dụng ngân hàng Việt Nam? Trả tiền mặt hoặc thẻ tại quầy', en: 'No Vietnamese banking app? Pay cash or card at the till' },
  'self.code_hint': { vi: 'Đưa mã này cho nhân viên tại quầy:', en: 'Show this code at the till to pay by cash or card:' },
  'self.held': { vi: 'Hàng được giữ cho bạn thêm {time}', en: 'Your items are held for {time}' },
  'self.back_to_cart': { vi: 'Quay lại giỏ hàng', en: 'Back to the cart' },
  'self.submitted': { vi: 'Nhân viên sẽ kiểm tra chuyển khoản và giao hàng cho bạn. Nếu được hỏi, đưa mã {code}.', en: 'The staff will check your transfer and hand you your goods. If asked, show code {code}.' },
  'self.submitted_till': { vi: 'Mời bạn ra quầy, đưa mã {code} và trả tiền mặt hoặc thẻ.', en: 'Please go to the till, show code {code} and pay by cash or card.' },
  'self.order_paid': { vi: 'Đã nhận tiền — cảm ơn bạn!', en: 'Payment received — thank you!' },
  'self.collect': { vi: 'Mời bạn nhận hàng tại quầy.', en: 'Collect your goods at the till.' },
  'self.order_expired': { vi: 'Hết thời gian giữ hàng cho đơn {code}', en: 'Order {code} ran out of time' },
  'self.order_cancelled': { vi: 'Đơn {code} đã được huỷ', en: 'Order {code} was cancelled' },
  'self.order_again': { vi: 'Hàng đã trả về kệ. Bạn có thể đặt lại.', en: 'The goods are back on the shelf. You can order again.' },
  'self.done': { vi: 'Xong', en: 'Done' },
  'self.idle': { vi: 'Bạn vẫn đang xem chứ? Chạm để tiếp tục ({n})', en: 'Still there? Touch to continue ({n})' },
  'self.cart_open': { vi: 'Xem giỏ hàng', en: 'View cart' },
  'self.start_over': { vi: 'Bắt đầu lại', en: 'Start over' },
  'lot.code': { vi: 'Mã lô', en: 'Lot' },
  'lot.produced': { vi: 'Ngày sản xuất', en: 'Produced' },
  'lot.expires': { vi: 'Hạn sử dụng', en: 'Best before' },
  'lot.origin': { vi: 'Vùng nguyên liệu', en: 'Origin' },
  'lot.certs': { vi: 'Chứng nhận', en: 'Certifications' },
  'trace.title': { vi: 'Nguồn gốc sản phẩm', en: 'Where it comes from' },
  'trace.opening': { vi: 'Đang mở trang nguồn gốc…', en: 'Opening the trace page…' },

  // ---- manager ----
  'mgr.title': { vi: 'Quản lý quầy', en: 'Kiosk manager' },
  'mgr.pin_title': { vi: 'Nhập mã PIN quản lý', en: 'Enter the manager PIN' },
  'mgr.pin': { vi: 'Mã PIN', en: 'PIN' },
  'mgr.pin_wrong': { vi: 'Sai mã PIN', en: 'Wrong PIN' },
  'mgr.lock': { vi: 'Khoá', en: 'Lock' },
  'mgr.tab.shift': { vi: 'Ca bán', en: 'Shift' },
  'mgr.tab.sales': { vi: 'Đơn hàng', en: 'Sales' },
  'mgr.tab.stock': { vi: 'Tồn kho', en: 'Stock' },
  'mgr.tab.import': { vi: 'Nhập danh mục', en: 'Catalog import' },
  'mgr.tab.printers': { vi: 'Máy in', en: 'Printers' },
  'mgr.tab.cashiers': { vi: 'Thu ngân', en: 'Cashiers' },
  'cashier.title': { vi: 'Thu ngân', en: 'Cashier' },
  'cashier.none': { vi: 'Đăng nhập thu ngân', en: 'Cashier sign-in' },
  'cashier.now': { vi: 'Thu ngân: {name}', en: 'Cashier: {name}' },
  'cashier.nobody': { vi: 'Chưa có ai đăng nhập ở quầy này', en: 'No one is signed in at this till' },
  'cashier.pin': { vi: 'Mã PIN của thu ngân', en: "Cashier's PIN" },
  'cashier.pick': { vi: 'Chọn tên thu ngân', en: 'Choose your name' },
  'cashier.pin_shape': { vi: 'Mã PIN gồm 4–8 chữ số', en: 'The PIN is 4–8 digits' },
  'cashier.signin': { vi: 'Đăng nhập', en: 'Sign in' },
  'cashier.signout': { vi: 'Đăng xuất', en: 'Sign out' },
  'cashier.signed_in': { vi: 'Thu ngân {name} đã đăng nhập', en: '{name} signed in' },
  'cashiers.hint': { vi: 'Khi có thu ngân, quầy chỉ bán khi một thu ngân đã đăng nhập bằng mã PIN của mình; hoá đơn in tên người bán.', en: 'With cashiers, a till sells only once a cashier has signed in with their own PIN; the receipt names who sold.' },
  'cashiers.empty': { vi: 'Chưa có thu ngân: quầy bán không cần đăng nhập.', en: 'No cashiers: the tills sell without signing in.' },
  'cashiers.name': { vi: 'Tên', en: 'Name' },
  'cashiers.pin': { vi: 'Mã PIN (4–8 chữ số)', en: 'PIN (4–8 digits)' },
  'cashiers.add': { vi: 'Thêm thu ngân', en: 'Add cashier' },
  'cashiers.added': { vi: 'Đã thêm thu ngân {name}', en: 'Cashier {name} added' },
  'cashiers.remove': { vi: 'Xoá', en: 'Remove' },
  'cashiers.removed': { vi: 'Đã xoá thu ngân {name}', en: 'Cashier {name} removed' },
  'rep.by_cashier': { vi: 'Theo thu ngân', en: 'By cashier' },
  'rep.cashier_sales': { vi: 'Số đơn', en: 'Sales' },
  'rep.cashier_cash': { vi: 'Tiền mặt', en: 'Cash' },
  'mgr.tab.pairing': { vi: 'Ghép màn hình', en: 'Pair a screen' },
  'mgr.tab.lots': { vi: 'Lô hàng', en: 'Lots' },
  'shift.none': { vi: 'Chưa mở ca. Mở ca với tiền đầu ca trong két.', en: 'No shift is open. Open one with the cash float in the drawer.' },
  'shift.open': { vi: 'Mở ca', en: 'Open shift' },
  'shift.float': { vi: 'Tiền đầu ca', en: 'Opening float' },
  'shift.opened': { vi: 'Ca {id} — mở lúc {time}', en: 'Shift {id} — opened {time}' },
  'shift.closed_at': { vi: 'đóng lúc {time}', en: 'closed {time}' },
  'shift.auto': { vi: '(tự mở khi bán đơn đầu tiên)', en: '(opened by the first sale)' },
  'shift.x': { vi: 'Báo cáo X (tạm tính)', en: 'X report (so far)' },
  'shift.z': { vi: 'Báo cáo Z', en: 'Z report' },
  'shift.close': { vi: 'Đóng ca', en: 'Close shift' },
  'shift.counted': { vi: 'Tiền mặt đếm được trong két', en: 'Cash counted in the drawer' },
  'shift.print': { vi: 'In báo cáo', en: 'Print report' },
  'shift.printed': { vi: 'Đã gửi báo cáo tới máy in', en: 'Report sent to the printer' },
  'shift.confirm_title': { vi: 'Đóng ca {id}?', en: 'Close shift {id}?' },
  'shift.confirm_hint': { vi: 'Kiểm tra lại trước khi đóng: ca đã đóng không sửa được, báo cáo Z sẽ được in.', en: 'Check before closing: a closed shift cannot be changed, and its Z report prints.' },
  'shift.confirm_ok': { vi: 'Đóng ca', en: 'Close the shift' },
  'shift.diff_short': { vi: 'Thiếu {amount}', en: '{amount} short' },
  'shift.diff_over': { vi: 'Thừa {amount}', en: '{amount} over' },
  'shift.diff_none': { vi: 'Khớp', en: 'Matches' },
  'rep.sales': { vi: 'Số đơn bán', en: 'Sales' },
  'rep.voids': { vi: 'Đơn huỷ', en: 'Voids' },
  'rep.refunds': { vi: 'Đơn trả hàng', en: 'Refunds' },
  'rep.gross': { vi: 'Doanh thu', en: 'Gross' },
  'rep.void_total': { vi: 'Tổng huỷ', en: 'Voided' },
  'rep.refund_total': { vi: 'Tổng trả hàng', en: 'Refunded' },
  'rep.net': { vi: 'Doanh thu thuần', en: 'Net' },
  'rep.by_method': { vi: 'Theo hình thức thanh toán', en: 'By payment method' },
  'rep.by_vat': { vi: 'Theo thuế suất', en: 'By VAT rate' },
  'rep.by_producer': { vi: 'Theo nhà sản xuất', en: 'By producer' },
  'rep.float': { vi: 'Tiền đầu ca', en: 'Float' },
  'rep.expected': { vi: 'Tiền mặt dự kiến', en: 'Expected cash' },
  'rep.counted': { vi: 'Tiền mặt đếm được', en: 'Counted cash' },
  'rep.difference': { vi: 'Chênh lệch', en: 'Difference' },
  'rep.receipts': { vi: 'Hoá đơn {first} → {last}', en: 'Receipts {first} → {last}' },
  'rep.rate': { vi: 'Thuế suất', en: 'Rate' },
  'rep.vat': { vi: 'Thuế GTGT', en: 'VAT' },
  'rep.units': { vi: 'Số lượng', en: 'Units' },
  'rep.producer': { vi: 'Nhà sản xuất', en: 'Producer' },
  'rep.method': { vi: 'Hình thức', en: 'Method' },
  'rep.amount': { vi: 'Số tiền', en: 'Amount' },
  'sales.today': { vi: 'Đơn hôm nay', en: "Today's sales" },
  'sales.time': { vi: 'Giờ', en: 'Time' },
  'sales.receipt': { vi: 'Hoá đơn', en: 'Receipt' },
  'sales.kind': { vi: 'Loại', en: 'Kind' },
  'sales.total': { vi: 'Tổng', en: 'Total' },
  'sales.status': { vi: 'Trạng thái', en: 'Status' },
  'sales.paid_by': { vi: 'Thanh toán', en: 'Paid by' },
  'sales.actions': { vi: 'Thao tác', en: 'Actions' },
  'sales.void': { vi: 'Huỷ đơn', en: 'Void' },
  'sales.refund': { vi: 'Trả hàng', en: 'Refund' },
  'sales.reprint': { vi: 'In lại', en: 'Reprint' },
  'sales.reason': { vi: 'Lý do', en: 'Reason' },
  'sales.empty': { vi: 'Chưa có đơn nào', en: 'No sales yet' },
  'sales.recent': { vi: 'Đơn gần nhất', en: 'Latest sales' },
  'sales.search': { vi: 'Số hoá đơn, vd. K01-000123', en: 'Receipt number, e.g. K01-000123' },
  'sales.find': { vi: 'Tìm', en: 'Find' },
  'sales.not_found': { vi: 'Không tìm thấy hoá đơn này', en: 'No such receipt' },
  'sales.older': { vi: 'Cũ hơn', en: 'Older' },
  'sales.newest': { vi: 'Mới nhất', en: 'Newest' },
  'sales.void_title': { vi: 'Huỷ đơn {receipt}', en: 'Void {receipt}' },
  'sales.void_ok': { vi: 'Huỷ đơn', en: 'Void the sale' },
  'sales.refund_ok': { vi: 'Ghi nhận trả hàng', en: 'Record the refund' },
  'sales.today_only': { vi: 'Chỉ hôm nay', en: 'Today only' },
  'sales.today_sum': { vi: 'Hôm nay {day}: {n} đơn bán, {amount}', en: 'Today, {day}: {n} sales, {amount}', en_one: 'Today, {day}: {n} sale, {amount}' },
  'sales.voided': { vi: 'Đã huỷ đơn {receipt}', en: '{receipt} voided' },
  'sales.refund_title': { vi: 'Trả hàng — {receipt}', en: 'Refund — {receipt}' },
  'sales.refunded': { vi: 'Đã ghi nhận trả hàng {receipt}', en: 'Refund {receipt} recorded' },
  'sales.refund_by': { vi: 'Hoàn tiền bằng', en: 'Refund by' },
  'sales.restock': { vi: 'Nhập lại kho', en: 'Put back in stock' },
  'sales.qty_back': { vi: 'Số lượng trả', en: 'Qty returned' },
  'sales.serials_back': { vi: 'Số sê-ri trên hàng mang trả (chạm hoặc quét tem)', en: 'Serials on the goods brought back (tap or scan the stamp)' },
  'sales.serial_not_on_sale': { vi: 'Tem {serial} không có trong đơn này hoặc đã trả rồi', en: 'Stamp {serial} is not on this sale, or came back already' },
  'sales.left_to_refund': { vi: 'còn {n} chưa trả', en: '{n} not yet returned' },
  'sales.lot': { vi: 'lô {lot}', en: 'lot {lot}' },
  'sales.reprinted': { vi: 'Đã gửi lệnh in lại {receipt}', en: 'Reprint of {receipt} queued' },
  'kind.sale': { vi: 'Bán', en: 'Sale' },
  'kind.void': { vi: 'Huỷ', en: 'Void' },
  'kind.refund': { vi: 'Trả hàng', en: 'Refund' },
  'status.completed': { vi: 'Hoàn tất', en: 'Completed' },
  'status.voided': { vi: 'Đã huỷ', en: 'Voided' },
  'status.refunded': { vi: 'Đã trả hàng', en: 'Refunded' },
  'status.partially_refunded': { vi: 'Trả một phần', en: 'Partly refunded' },
  'stock.find': { vi: 'Tìm sản phẩm cần điều chỉnh', en: 'Find the product to adjust' },
  'stock.current': { vi: 'Tồn hiện tại: {n}', en: 'In stock: {n}' },
  'stock.delta': { vi: 'Thay đổi (+ nhập vào, − bớt ra)', en: 'Change (+ in, − out)' },
  'stock.reason': { vi: 'Lý do', en: 'Reason' },
  'stock.reason.delivery': { vi: 'Nhập hàng', en: 'Delivery' },
  'stock.reason.count': { vi: 'Kiểm kê', en: 'Stock count' },
  'stock.reason.breakage': { vi: 'Hư hỏng', en: 'Breakage' },
  'stock.reason.sample': { vi: 'Hàng mẫu, quà tặng', en: 'Samples, gifts' },
  'stock.apply': { vi: 'Cập nhật tồn kho', en: 'Update stock' },
  'stock.done': { vi: 'Tồn kho {sku}: {n}', en: 'Stock of {sku}: {n}' },
  'stock.after': { vi: 'Tồn sau', en: 'Stock after' },
  'stock.moves': { vi: 'Điều chỉnh gần đây', en: 'Recent adjustments' },
  'stock.pick': { vi: 'Chọn', en: 'Choose' },
  'low.title': { vi: 'Sắp hết hàng', en: 'Running low' },
  'low.threshold': { vi: 'Báo khi còn từng này trở xuống', en: 'Warn at this many left or fewer' },
  'low.save': { vi: 'Lưu ngưỡng', en: 'Save' },
  'low.saved': { vi: 'Đã lưu: báo khi còn {n} trở xuống', en: 'Saved: warn at {n} left or fewer' },
  'low.none': { vi: 'Không có sản phẩm nào sắp hết', en: 'Nothing is running low' },
  'low.count': { vi: '{n} sản phẩm còn {threshold} trở xuống', en: '{n} products with {threshold} or fewer left', en_one: '{n} product with {threshold} or fewer left' },
  'low.left': { vi: 'Còn', en: 'Left' },
  'pic.title': { vi: 'Ảnh sản phẩm', en: 'Product picture' },
  'pic.file': { vi: 'Ảnh (JPEG hoặc PNG)', en: 'Picture (JPEG or PNG)' },
  'pic.upload': { vi: 'Tải ảnh lên', en: 'Upload the picture' },
  'pic.done': { vi: 'Đã lưu ảnh của {sku}', en: 'Picture of {sku} saved' },
  'pic.none': { vi: 'Chưa có ảnh', en: 'No picture yet' },
  'imp.file': { vi: 'Tệp danh mục (.csv hoặc .xlsx)', en: 'Catalog file (.csv or .xlsx)' },
  'imp.kind': { vi: 'Loại dữ liệu (với tệp CSV)', en: 'Kind of data (for a CSV file)' },
  'imp.kind.producers': { vi: 'Nhà sản xuất', en: 'Producers' },
  'imp.kind.products': { vi: 'Sản phẩm', en: 'Products' },
  'imp.kind.lots': { vi: 'Lô hàng', en: 'Lots' },
  'imp.submit': { vi: 'Nhập danh mục', en: 'Import' },
  'imp.hint': { vi: 'Tất cả hoặc không: chỉ một dòng lỗi là không dòng nào được nhập. Tệp Excel có các trang producers, products, lots nhập cả danh mục một lần.', en: 'All or nothing: one bad row and nothing is imported. An Excel workbook with sheets producers, products and lots imports the whole catalog at once.' },
  'imp.ok': { vi: 'Đã nhập {producers} nhà sản xuất, {products} sản phẩm, {lots} lô hàng', en: 'Imported {producers} producers, {products} products, {lots} lots' },
  'imp.rejected': { vi: 'Không nhập gì — {n} dòng lỗi:', en: 'Nothing imported — {n} bad rows:' },
  'imp.row': { vi: 'Dòng', en: 'Row' },
  'imp.column': { vi: 'Cột', en: 'Column' },
  'imp.problem': { vi: 'Lỗi', en: 'Problem' },
  'imp.need_file': { vi: 'Chọn một tệp trước', en: 'Choose a file first' },
  'imp.need_kind': { vi: 'Chọn loại dữ liệu cho tệp CSV', en: 'Choose the kind of data for a CSV file' },
  'imp.pictures': { vi: 'Ảnh sản phẩm (.zip)', en: 'Product pictures (.zip)' },
  'imp.pictures_hint': { vi: 'Một tệp .zip các ảnh JPEG hoặc PNG. Cột image của danh mục ghi tên ảnh (vd mo-500.jpg); quầy thu nhỏ ảnh và giữ trong thư mục dữ liệu. Tất cả hoặc không: một ảnh lỗi là không ảnh nào được lưu.', en: "A .zip of JPEG or PNG pictures. The catalog's image column names a product's picture (e.g. mo-500.jpg); the kiosk shrinks them and keeps them in its data folder. All or nothing: one bad picture and none is stored." },
  'imp.pictures_submit': { vi: 'Nhập ảnh', en: 'Import pictures' },
  'imp.pictures_ok': { vi: 'Đã lưu {n} ảnh', en: '{n} pictures stored', en_one: '{n} picture stored' },
  'imp.pictures_skipped': { vi: 'Bỏ qua (không phải ảnh): {names}', en: 'Skipped (not pictures): {names}' },
  'imp.pictures_missing': { vi: 'Sản phẩm ghi tên ảnh mà quầy chưa có: {skus}', en: 'Products naming a picture the kiosk does not have: {skus}' },
  'imp.pictures_rejected': { vi: 'Không lưu ảnh nào — {n} ảnh lỗi:', en: 'No picture stored — {n} bad pictures:' },
  'imp.need_zip': { vi: 'Chọn một tệp .zip trước', en: 'Choose a .zip file first' },
  'prn.name': { vi: 'Tên', en: 'Name' },
  'prn.profile': { vi: 'Mẫu máy', en: 'Profile' },
  'prn.state': { vi: 'Trạng thái', en: 'State' },
  'prn.queue': { vi: 'Chờ in', en: 'Queued' },
  'prn.printed': { vi: 'Đã in', en: 'Printed' },
  'prn.last_error': { vi: 'Lỗi gần nhất', en: 'Last error' },
  'prn.test': { vi: 'In thử', en: 'Test print' },
  'prn.test_queued': { vi: 'Đã gửi lệnh in thử tới {name}', en: 'Test print queued on {name}' },
  'pair.till': { vi: 'Quầy', en: 'Till' },
  'pair.role': { vi: 'Màn hình dùng làm', en: 'Use the screen as' },
  'role.display': { vi: 'Màn hình khách', en: 'Customer display' },
  'role.till': { vi: 'Màn hình bán hàng', en: 'Till' },
  'role.self': { vi: 'Tự phục vụ', en: 'Self-service' },
  'pair.create': { vi: 'Tạo mã ghép', en: 'Create a pairing code' },
  'pair.hint': { vi: 'Trên máy tính bảng, quét mã QR hoặc mở {url}', en: 'On the tablet, scan the QR code or open {url}' },
  'pair.expires': { vi: 'Mã dùng một lần, hết hạn lúc {time}', en: 'One use only, expires at {time}' },
  'pair.devices': { vi: 'Thiết bị đã ghép', en: 'Paired devices' },
  'pair.revoke': { vi: 'Thu hồi', en: 'Revoke' },
  'pair.revoked': { vi: 'Đã thu hồi', en: 'Revoked' },
  'lots.find': { vi: 'Tìm sản phẩm để xem các lô', en: 'Find the product whose lots to see' },
  'lots.of': { vi: 'Các lô của {name}', en: 'Lots of {name}' },
  'lots.none': { vi: 'Sản phẩm này chưa có lô nào', en: 'This product has no lots yet' },
  'lots.no_gtin': { vi: 'Sản phẩm chưa có mã GTIN: chưa có trang truy xuất và chưa in được tem', en: 'The product has no GTIN: no trace page and no labels yet' },
  'lots.new': { vi: 'Thêm lô mới', en: 'New lot' },
  'lots.edit': { vi: 'Sửa', en: 'Edit' },
  'lots.add_event': { vi: '+ Hành trình', en: '+ Event' },
  'lots.labels': { vi: 'In tem', en: 'Labels' },
  'lots.packed': { vi: 'Ngày đóng gói', en: 'Packed' },
  'lots.qty': { vi: 'Số lượng', en: 'Quantity' },
  'lots.events': { vi: 'Hành trình', en: 'Events' },
  'lots.trace': { vi: 'Trang truy xuất', en: 'Trace page' },
  'lots.open': { vi: 'Mở', en: 'Open' },
  'lots.bad_date': { vi: 'Ô “{field}”: ngày không đúng — viết ngày/tháng/năm, vd 15/05/2026', en: '“{field}”: not a date — write day/month/year, e.g. 15/05/2026' },
  'date.placeholder': { vi: 'ngày/tháng/năm', en: 'dd/mm/yyyy' },
  'lots.certs_hint': { vi: 'Chứng nhận (cách nhau bằng dấu phẩy)', en: 'Certifications (separated by commas)' },
  'lots.new_title': { vi: 'Lô mới — {name}', en: 'New lot — {name}' },
  'lots.edit_title': { vi: 'Sửa lô {lot}', en: 'Edit lot {lot}' },
  'lots.created': { vi: 'Đã thêm lô {lot}', en: 'Lot {lot} added' },
  'lots.saved': { vi: 'Đã lưu lô {lot}', en: 'Lot {lot} saved' },
  'lots.bad_field': { vi: 'Kiểm tra lại ô “{field}”', en: 'Check “{field}”' },
  'lots.need_code': { vi: 'Nhập mã lô', en: 'Enter the lot code' },
  'lots.event_title': { vi: 'Thêm hành trình — lô {lot}', en: 'Add an event — lot {lot}' },
  'lots.event_saved': { vi: 'Đã thêm hành trình vào lô {lot}', en: 'Event added to lot {lot}' },
  'event.when': { vi: 'Ngày', en: 'Date' },
  'event.what': { vi: 'Công đoạn', en: 'Step' },
  'event.where': { vi: 'Ở đâu', en: 'Where' },
  'event.who': { vi: 'Ai thực hiện', en: 'Who' },
  'event.why': { vi: 'Ghi chú', en: 'Notes' },
  'step.harvest': { vi: 'Thu hoạch', en: 'Harvest' },
  'step.processing': { vi: 'Sơ chế, chế biến', en: 'Processing' },
  'step.packing': { vi: 'Đóng gói', en: 'Packing' },
  'step.shipping': { vi: 'Vận chuyển', en: 'Shipping' },
  'step.certification': { vi: 'Chứng nhận', en: 'Certification' },
  'step.other': { vi: 'Khác', en: 'Other' },
  'labels.title': { vi: 'In tem cho lô {lot}', en: 'Labels for lot {lot}' },
  'labels.hint': { vi: 'Mỗi tem có số riêng và mã QR dẫn tới trang nguồn gốc của chính nó.', en: 'Each label gets its own serial and a QR code to its own trace page.' },
  'labels.count': { vi: 'Số tem', en: 'Number of labels' },
  'labels.printer': { vi: 'Máy in', en: 'Printer' },
  'labels.size': { vi: 'Khổ tem', en: 'Label size' },
  'labels.size_default': { vi: 'Theo máy in', en: "The printer's own" },
  'labels.print': { vi: 'In tem', en: 'Print labels' },
  'labels.bad_count': { vi: 'Số tem phải từ 1 đến 1.000', en: 'From 1 to 1,000 labels' },
  'labels.no_printer': { vi: 'Quầy chưa có máy in nào', en: 'The kiosk has no printer' },
  'labels.queued': { vi: 'Đã gửi {n} tem tới máy in {printer}', en: '{n} labels sent to the {printer} printer', en_one: '{n} label sent to the {printer} printer' },
  'labels.serials': { vi: 'Số tem:', en: 'Serials:' },
  'flagged.title': { vi: 'Tem nghi sao chép', en: 'Suspected copied labels' },
  'flagged.hint': { vi: 'Tem được quét trong {days} ngày trở lên, từ {places} mạng khác nhau trở lên — một hũ thật chỉ được người mua quét vài lần, ở một hai nơi; tem có thể đã bị sao chép. Đây là dấu hiệu để kiểm tra, không phải kết luận.', en: 'Labels scanned on {days} days or more from {places} different networks or more — a real jar is scanned by its buyer a few times, in one or two places, so the label may have been copied. A sign to look into, not a verdict.' },
  'flagged.none': { vi: 'Chưa có tem nào đáng ngờ', en: 'No suspicious labels' },
  'flagged.serial': { vi: 'Số tem', en: 'Serial' },
  'flagged.product': { vi: 'Sản phẩm', en: 'Product' },
  'flagged.count': { vi: 'Số lần quét', en: 'Scans' },
  'flagged.days': { vi: 'Số ngày', en: 'Days' },
  'flagged.places': { vi: 'Số mạng', en: 'Networks' },
  'flagged.first': { vi: 'Quét lần đầu', en: 'First scan' },
  'flagged.last': { vi: 'Quét gần nhất', en: 'Last scan' },

  // ---- pair page ----
  'pairpage.title': { vi: 'Ghép màn hình này với quầy', en: 'Pair this screen with the kiosk' },
  'pairpage.hint': { vi: 'Nhập mã 6 số hiện trên trang Quản lý → Ghép màn hình', en: 'Enter the 6-digit code shown under Manager → Pair a screen' },
  'pairpage.code': { vi: 'Mã ghép', en: 'Pairing code' },
  'pairpage.submit': { vi: 'Ghép', en: 'Pair' },
  'pairpage.ok': { vi: 'Đã ghép: {role}, quầy {till}', en: 'Paired: {role}, till {till}' },
  'pairpage.current': { vi: 'Màn hình này đang ghép: {role}, quầy {till}', en: 'This screen is paired: {role}, till {till}' },
  'pairpage.open': { vi: 'Mở', en: 'Open' },
  'pairpage.forget': { vi: 'Bỏ ghép', en: 'Unpair' },

  // ---- start page ----
  'index.title': { vi: 'Quầy OCOP', en: 'OCOP kiosk' },
  'index.till': { vi: 'Bán hàng', en: 'Till' },
  'index.till_desc': { vi: 'Thu ngân: giỏ hàng, tiền mặt, VietQR, thẻ', en: 'Checkout: cart, cash, VietQR, card' },
  'index.display': { vi: 'Màn hình khách', en: 'Customer display' },
  'index.display_desc': { vi: 'Giỏ hàng và mã VietQR cho khách xem', en: 'The cart and the VietQR code for the customer' },
  'index.self': { vi: 'Tự phục vụ', en: 'Self-service' },
  'index.self_desc': { vi: 'Du khách xem sản phẩm, nguồn gốc và mua', en: 'Tourists browse, trace and buy' },
  'index.manager': { vi: 'Quản lý', en: 'Manager' },
  'index.manager_desc': { vi: 'Ca bán, đơn hàng, tồn kho, lô hàng, danh mục, máy in', en: 'Shifts, sales, stock, lots, catalog, printers' },
  'index.pair': { vi: 'Ghép màn hình', en: 'Pair a screen' },
  'index.pair_desc': { vi: 'Dùng máy tính bảng làm màn hình khách', en: 'Use a tablet as a customer display' },
  'till.title': { vi: 'Quầy {till}', en: 'Till {till}' },

  // ---- keyboard shortcuts at the till ----
  'keys.title': { vi: 'Phím tắt', en: 'Keyboard shortcuts' },
  'keys.open': { vi: 'Xem phím tắt', en: 'Show the keyboard shortcuts' },
  'keys.search': { vi: 'Tìm sản phẩm', en: 'Search products' },
  'keys.cash': { vi: 'Thu tiền mặt', en: 'Pay cash' },
  'keys.exact': { vi: 'Khách đưa đủ tiền: bán ngay', en: 'Exact cash: sell at once' },
  'keys.qty': { vi: 'Số lượng của dòng vừa thêm', en: 'Quantity of the last line' },
  'keys.clear': { vi: 'Xoá giỏ (có hoàn tác)', en: 'Clear the cart (with undo)' },
  'keys.help': { vi: 'Bảng phím tắt này', en: 'This list' },
  'keys.enter': { vi: 'Xác nhận; trong ô tìm: thêm sản phẩm duy nhất tìm thấy', en: 'Confirm; in the search box: add the one product found' },
  'keys.esc': { vi: 'Đóng hộp thoại', en: 'Close a dialog' },

  // ---- errors, by the server's codes ----
  'err.unknown': { vi: 'Lỗi: {message}', en: 'Error: {message}' },
  'err.network': { vi: 'Không kết nối được với quầy', en: 'Cannot reach the kiosk' },
  'err.bad_json': { vi: 'Yêu cầu không hợp lệ', en: 'Malformed request' },
  'err.bad_query': { vi: 'Tham số tìm kiếm không hợp lệ', en: 'Bad search parameters' },
  'err.bad_request': { vi: 'Yêu cầu không hợp lệ', en: 'Bad request' },
  'err.body_too_large': { vi: 'Dữ liệu gửi lên quá lớn', en: 'The upload is too large' },
  'err.unknown_type': { vi: 'Màn hình gửi lệnh không được hỗ trợ', en: 'Unsupported screen message' },
  'err.hello_required': { vi: 'Màn hình chưa chào máy chủ', en: 'The screen has not said hello yet' },
  'err.bad_version': { vi: 'Phiên bản giao thức không khớp — tải lại trang', en: 'Protocol version mismatch — reload the page' },
  'err.forbidden': { vi: 'Màn hình này không được phép làm việc đó', en: 'This screen may not do that' },
  'err.unauthorized': { vi: 'Thiết bị chưa được ghép với quầy', en: 'This device is not paired with the kiosk' },
  'err.unknown_sku': { vi: 'Không có sản phẩm này trong danh mục', en: 'No such product in the catalog' },
  'err.unknown_lot': { vi: 'Không có lô hàng này', en: 'No such lot' },
  'err.lot_exists': { vi: 'Lô này đã có — hãy sửa lô đó', en: 'This lot exists already — edit it instead' },
  'err.bad_field': { vi: 'Giá trị không hợp lệ', en: 'Invalid value' },
  'err.unknown_printer': { vi: 'Quầy không có máy in này', en: 'The kiosk has no such printer' },
  'err.bad_size': { vi: 'Khổ tem phải là 40x30, 50x30 hoặc 58mm', en: 'Label size: 40x30, 50x30 or 58mm' },
  'err.no_gtin': { vi: 'Sản phẩm chưa có mã GTIN nên chưa in được tem truy xuất', en: 'The product has no GTIN, so no trace labels' },
  'err.bad_gtin': { vi: 'Mã GTIN không hợp lệ', en: 'Invalid GTIN' },
  'err.bad_quantity': { vi: 'Số lượng phải từ 1 đến 10.000', en: 'Quantity must be 1 to 10,000' },
  'err.too_many_lines': { vi: 'Giỏ hàng tối đa 500 dòng', en: 'A cart holds at most 500 lines' },
  'err.empty_cart': { vi: 'Giỏ hàng đang trống', en: 'The cart is empty' },
  'err.empty_sale': { vi: 'Đơn hàng trống', en: 'The sale is empty' },
  'err.not_in_cart': { vi: 'Sản phẩm không có trong giỏ', en: 'That product is not in the cart' },
  'err.serial_in_cart': { vi: 'Tem này đã quét rồi: một món chỉ bán một lần', en: 'This label was scanned already: one item sells once' },
  'err.serial_sold': { vi: 'Món mang tem này đã bán rồi', en: 'The item with this label was sold already' },
  'err.unknown_serial': { vi: 'Tem này không do quầy cấp', en: 'This kiosk did not issue this label' },
  'err.serial_other_lot': { vi: 'Số tem thuộc lô khác', en: 'This serial belongs to another lot' },
  'err.serials_do_not_fit': { vi: 'Số tem không khớp số lượng: bỏ dòng và quét lại', en: 'The serials do not fit the quantity: remove the line and scan again' },
  'err.bad_digital_link': { vi: 'Mã QR trên tem không đọc được', en: 'The label\'s QR code cannot be read' },
  'err.vietqr_not_configured': { vi: 'Quầy chưa có tài khoản nhận chuyển khoản VietQR — nhờ người quản lý cài đặt', en: 'The kiosk has no account for VietQR transfers — ask the manager to set one up' },
  'err.bad_image': { vi: 'Ảnh không dùng được (chỉ nhận JPEG hoặc PNG, tối đa 16 MB, 24 megapixel)', en: 'The picture cannot be used (JPEG or PNG only, at most 16 MB and 24 megapixels)' },
  'err.no_pending_transfer': { vi: 'Không có giao dịch chuyển khoản nào đang chờ', en: 'No transfer is pending' },
  'err.order_paid': { vi: 'Đơn này đã được thanh toán', en: 'This order is already paid' },
  'err.order_cancelled': { vi: 'Đơn này đã bị huỷ', en: 'This order was cancelled' },
  'err.order_expired': { vi: 'Đơn này đã hết giờ, hàng đã trả về kho — hãy bán lại tại quầy', en: 'This order ran out of time and its goods are back in stock — ring them up at the till' },
  'err.too_many_orders': { vi: 'Có quá nhiều đơn đang chờ ở màn hình này — nhờ nhân viên giúp', en: 'Too many orders are waiting on this screen — ask the staff' },
  'err.payment_short': { vi: 'Số tiền thanh toán chưa đủ', en: 'The payments do not cover the total' },
  'err.tendered_short': { vi: 'Tiền khách đưa chưa đủ', en: 'The cash received is short' },
  'err.overpaid': { vi: 'Thẻ/chuyển khoản/ví vượt tổng tiền', en: 'Card, transfer or wallet above the total' },
  'err.bad_payment': { vi: 'Hình thức thanh toán không hợp lệ', en: 'Invalid payment' },
  'err.bad_amount': { vi: 'Số tiền không hợp lệ', en: 'Invalid amount' },
  'err.amount_out_of_range': { vi: 'Số tiền quá lớn', en: 'Amount out of range' },
  'err.out_of_stock': { vi: 'Không đủ hàng trong kho', en: 'Not enough stock' },
  'err.refund_too_large': { vi: 'Trả nhiều hơn đã bán', en: 'Refund larger than what was sold' },
  'err.already_voided': { vi: 'Đơn đã bị huỷ', en: 'Already voided' },
  'err.not_voidable': { vi: 'Không thể huỷ đơn này', en: 'This record cannot be voided' },
  'err.idempotency_key_reused': { vi: 'Đơn này đã được gửi với nội dung khác', en: 'This sale was already sent with other contents' },
  'err.shift_open': { vi: 'Đang có ca mở', en: 'A shift is already open' },
  'err.no_open_shift': { vi: 'Chưa mở ca', en: 'No shift is open' },
  'err.shift_closed': { vi: 'Ca đã đóng', en: 'The shift is closed' },
  'err.not_found': { vi: 'Không tìm thấy', en: 'Not found' },
  'err.pin_required': { vi: 'Cần mã PIN quản lý', en: 'The manager PIN is required' },
  'err.bad_pin': { vi: 'Sai mã PIN', en: 'Wrong PIN' },
  'err.bad_cashier_pin': { vi: 'Sai mã PIN của thu ngân', en: "Wrong cashier's PIN" },
  'err.cashier_required': { vi: 'Chưa có thu ngân đăng nhập ở quầy này', en: 'No cashier is signed in at this till' },
  'err.bad_cashier': { vi: 'Thu ngân cần tên (tối đa 40 ký tự, chưa trùng) và mã PIN 4–8 chữ số', en: 'A cashier needs a name (up to 40 characters, not taken) and a PIN of 4–8 digits' },
  'err.pin_locked': { vi: 'Nhập sai nhiều lần — đợi 30 giây', en: 'Too many wrong PINs — wait 30 seconds' },
  'err.import_rejected': { vi: 'Tệp có dòng lỗi, không nhập gì', en: 'The file has bad rows; nothing was imported' },
  'err.reason_required': { vi: 'Cần ghi lý do', en: 'A reason is required' },
  'err.bad_name': { vi: 'Tên không hợp lệ', en: 'Invalid name' },
  'err.bad_code': { vi: 'Mã không đúng hoặc đã hết hạn', en: 'Wrong or expired code' },
  'err.too_many_attempts': { vi: 'Nhập sai quá nhiều lần — xin mã mới sau vài phút', en: 'Too many wrong codes — ask for a new one in a few minutes' },
  'err.bad_till': { vi: 'Tên quầy: 1–16 chữ, số hoặc dấu -', en: 'Till: 1–16 letters, digits or -' },
  'err.bad_role': { vi: 'Vai trò không hợp lệ', en: 'Invalid role' },
  'err.bad_weight': { vi: 'Cân chưa có số đo hợp lệ cho hàng cân ký', en: 'No valid weight for a product sold by weight' },
  'err.bad_discount': { vi: 'Giảm giá không hợp lệ (quá 100 % hoặc quá giá trị dòng)', en: 'That discount is not valid (over 100 % or over the line)' },
  'err.discount_needs_pin': { vi: 'Giảm giá vượt mức cho phép — cần mã quản lý', en: 'That discount is above the limit — the manager PIN is needed' },
  'err.rate_limited': { vi: 'Màn hình gửi quá nhanh — chờ một chút rồi thử lại', en: 'This screen is sending too fast — wait a moment and try again' },
  'err.unknown_host': { vi: 'Quầy không nhận địa chỉ này — mở bằng địa chỉ của quầy', en: 'The kiosk does not answer to this address — open it by the kiosk’s own address' },
  'err.cross_site': { vi: 'Yêu cầu từ trang khác bị từ chối', en: 'A request from another site was refused' },
  'err.disk_full': { vi: 'Bộ nhớ của quầy đã đầy — chưa lưu được gì', en: 'The kiosk’s storage is full — nothing was saved' },
  'err.internal': { vi: 'Lỗi trong máy — xem nhật ký của quầy', en: 'Internal error — see the kiosk log' },

  // Discounts, promotions and weighed goods (i18n-pricing.js).
  ...PRICING,
  ...INVOICE,
  ...PORTAL,
  ...STAMPS,
};

let current = 'vi';

// setLang chooses the language t() uses; anything but 'en' means Vietnamese.
export function setLang(lang) {
  current = lang === 'en' ? 'en' : 'vi';
  return current;
}

export function getLang() {
  return current;
}

// pickLang gives the first of the candidates that is a known language, or 'vi'.
export function pickLang(...candidates) {
  for (const c of candidates) if (LANGS.includes(c)) return c;
  return 'vi';
}

// t looks key up in lang (default: the current language) and fills {name}
// placeholders from vars. An entry may have a singular form (en_one) used
// when vars.n is 1. An unknown key comes back as itself, so a mistake shows
// on screen instead of an empty label.
export function t(key, vars = {}, lang = current) {
  const entry = dict[key];
  const one = entry && (vars.n === 1 || vars.n === '1') ? entry[`${lang}_one`] : undefined;
  const s = entry ? one ?? entry[lang] ?? entry.vi : key;
  return s.replace(/\{(\w+)\}/g, (m, k) => (vars[k] !== undefined && vars[k] !== null ? String(vars[k]) : m));
}

export function groupLabel(group, lang = current) {
  return dict[`group.${group}`] ? t(`group.${group}`, {}, lang) : String(group || '');
}

// productName is the catalog name in the current language (name_en when
// English and present).
export function productName(p, lang = current) {
  if (!p) return '';
  return lang === 'en' && p.name_en ? p.name_en : p.name || p.sku || '';
}

export function productDescription(p, lang = current) {
  if (!p) return '';
  return lang === 'en' && p.description_en ? p.description_en : p.description || '';
}

export function printerStateLabel(state, lang = current) {
  return dict[`printer.${state}`] ? t(`printer.${state}`, {}, lang) : String(state || '');
}

// errorText is what a screen shows for a server error: the translation of its
// code, else the server's own message.
export function errorText(code, message, lang = current) {
  if (dict[`err.${code}`]) return t(`err.${code}`, {}, lang);
  return t('err.unknown', { message: message || code || '?' }, lang);
}

// stockText says which product is short: "Hết hàng: Mật ong…" when it is sold
// out, "Mật ong…: chỉ còn 2" when fewer are left than the cart asked for. p is
// a product, or the details of an out_of_stock error ({sku, name, name_en,
// stock}).
export function stockText(p, lang = current) {
  const name = productName(p, lang);
  const n = Number(p && p.stock) || 0;
  return n > 0 ? t('stock.only_left', { name, n }, lang) : t('stock.sold_out_named', { name }, lang);
}

// messageText is what a screen shows for an error message of the websocket
// (or an API error): a refusal for stock names the product; the rest as
// errorText.
export function messageText(m, lang = current) {
  const d = m && m.details;
  if (m && m.code === 'out_of_stock' && d && (d.name || d.sku)) return stockText(d, lang);
  return errorText(m && m.code, m && m.message, lang);
}

// ---- the catalog's words ----

const PLACES = Object.entries(TERMS.places)
  .map(([vi, en]) => ({ vi, en, prefix: vi.endsWith(' {}') ? vi.slice(0, -3) : null }))
  .sort((a, b) => b.vi.length - a.vi.length);

const squash = (s) => String(s ?? '').replace(/\s+/g, ' ').trim();

// unitName is a catalog unit (chai, hộp, hũ…) in lang: "bottle", "box",
// "jar"; a unit the dictionary lacks stays as it is.
export function unitName(unit, lang = current) {
  const u = squash(unit);
  if (lang !== 'en') return u;
  return TERMS.units[u.toLowerCase()] ?? u;
}

// certName is a lot's certification in lang: "Hữu cơ" is "Organic".
export function certName(cert, lang = current) {
  const c = squash(cert);
  if (lang !== 'en') return c;
  return TERMS.certifications[c.toLowerCase()] ?? c;
}

// originName is a lot's origin in lang. Each part between commas is read
// against the dictionary's places: a phrase that is a whole part ("cua biển"),
// parts joined by "và" one by one, then the longest phrase a part starts with,
// whose "{}" takes the rest of the part, itself read the same way ("rừng tràm
// {}" makes "U Minh Hạ melaleuca forest"). Names stay as they are.
export function originName(origin, lang = current) {
  const o = squash(origin);
  if (lang !== 'en' || o === '') return o;
  const out = o.split(',').map((part) => placeName(part.trim())).filter(Boolean).join(', ');
  return out.charAt(0).toUpperCase() + out.slice(1);
}

function placeName(part) {
  const low = part.toLowerCase();
  for (const p of PLACES) if (!p.prefix && low === p.vi) return p.en;
  const both = part.split(/ và /);
  if (both.length > 1) return both.map((x) => placeName(x.trim())).join(' and ');
  for (const p of PLACES) {
    if (p.prefix && low.startsWith(`${p.prefix} `)) {
      const rest = part.slice(p.prefix.length + 1).trim();
      if (rest) return p.en.replace('{}', placeName(rest));
    }
  }
  return part;
}
