/**
 * THE stand-in for the 'electron' module (the Electron binary cannot be had here). Small, but
 * typed against electron's own .d.ts: every fake class `implements` the Pick of the Electron type
 * the app uses, and the whole object `satisfies TrayAppElectron` — the same port type that
 * src/main/app/index.ts proves Electron's real modules satisfy. A call the app makes that Electron
 * does not have, or with the wrong arguments, fails `tsc` in the app code; a fake that drifts from
 * Electron's signatures fails `tsc` here.
 *
 * It behaves like Electron where the app relies on it: `app.quit()` emits `before-quit` (which
 * can be prevented) and then `will-quit`; a new BrowserWindow emits `web-contents-created` on the
 * app; `loadURL` sets the main frame's URL (tests then call `finishLoad()` for `ready-to-show`
 * and `did-finish-load`).
 */
import { EventEmitter } from 'node:events';
import type {
  BaseWindow, BrowserWindowConstructorOptions, ClipboardBookmark, ClipboardItem, CustomScheme, Event, HandlerDetails, LoginItemSettings, Menu, MenuItem,
  MenuItemConstructorOptions, MessageBoxOptions, MessageBoxReturnValue, NativeImage, NotificationConstructorOptions,
  Settings, WindowOpenHandlerResponse,
} from 'electron';
import type { TrayAppElectron, AppPort } from '../../src/main/app/start.ts';
import type { TrayIcon } from '../../src/main/app/tray.ts';
import type { AppWindow, AppWindowContents, FrameFacts, SenderFacts } from '../../src/main/app/windows.ts';
import type { ShownNotification } from '../../src/main/app/notifications.ts';
import type { PermissionSession } from '../../src/main/app/web-guards.ts';

/** An Electron `Event` whose `preventDefault()` can be observed. */
export function fakeEvent<P extends object = object>(params?: P): Event<P> {
  const event = { defaultPrevented: false, preventDefault() { event.defaultPrevented = true; }, ...params };
  return event as Event<P>; // the spread keeps P's fields; TypeScript cannot see through it
}

/**
 * Node's EventEmitter, with the listener methods typed to fit Electron's: Electron's `on` returns
 * the whole Electron object (`this` of an App, a Tray, …), which a fake is not. The app never
 * chains on the result, so the fake claims `never` there (assignable to any return type) while
 * the event names and listener arguments stay checked by Electron's overloads at the call sites.
 */
export class FakeEmitter extends EventEmitter {
  // Listeners take each event's own arguments, typed by Electron's overloads at the call site.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  override on(event: string, listener: (...args: any[]) => void): never {
    super.on(event, listener);
    return this as never;
  }
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  override once(event: string, listener: (...args: any[]) => void): never {
    super.once(event, listener);
    return this as never;
  }
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  override removeListener(event: string, listener: (...args: any[]) => void): never {
    super.removeListener(event, listener);
    return this as never;
  }
}

/** Everything the fakes share: created objects, the order things happened in. */
export interface FakeWorld {
  app: FakeApp;
  windows: FakeBrowserWindow[];
  trays: FakeTray[];
  notifications: FakeNotification[];
  notificationsSupported: boolean;
  /** Answers for the next dialog.showMessageBox calls (button index); default 1 = Cancel. */
  dialogAnswers: number[];
  dialogs: MessageBoxOptions[];
  /**
   * With no answer queued: keep message boxes open (in `openDialogs`) until the test answers
   * them or their AbortSignal closes them, instead of answering Cancel at once.
   */
  holdDialogs: boolean;
  openDialogs: FakeMessageBox[];
  opened: string[];
  /** Folders `shell.openPath` was asked to show, and the error message it answers with ('' = opened). */
  openedPaths: string[];
  openPathProblem: string;
  clipboardText: string;
  /** Schemes registered as privileged (before ready), and the handlers of `protocol.handle`. */
  schemes: CustomScheme[];
  protocolHandlers: Map<string, (request: Request) => Response | Promise<Response>>;
  /** Every ClipboardItem written with `clipboard.write()`, in order (its entries as given). */
  clipboardItems: FakeClipboardItem[];
  nextId: number;
}

export class FakeApp extends FakeEmitter implements AppPort {
  isPackaged = false;
  hasLock = true;
  readonly paths = new Map<string, string>();
  logsPath: string | undefined;
  sandboxed = false;
  appUserModelId: string | undefined;
  loginItems: Settings[] = [];
  wasOpenedAtLogin = false;
  quitCalls = 0;
  /** Set once a quit went through (`will-quit` emitted). */
  quitted = false;
  focused = 0;
  dockHidden = 0;
  dock: { hide(): void } | undefined;

  constructor(private readonly appPath: string, platform: NodeJS.Platform) {
    super();
    this.dock = platform === 'darwin' ? { hide: () => { this.dockHidden += 1; } } : undefined;
  }

  requestSingleInstanceLock(): boolean {
    this.lockRequests += 1;
    return this.hasLock;
  }
  quit(): void {
    this.quitCalls += 1;
    const event = fakeEvent();
    this.emit('before-quit', event);
    if (event.defaultPrevented) return;
    this.emit('will-quit', fakeEvent());
    this.quitted = true;
  }
  /** Set once the app asked to be told when it is ready. */
  readyCalled = false;
  whenReady(): Promise<void> {
    this.readyCalled = true;
    return Promise.resolve();
  }
  setPath(name: string, path: string): void {
    this.paths.set(name, path);
  }
  /** electron-store reads these when it is constructed. */
  getPath(name: Parameters<Electron.App['getPath']>[0]): string {
    const path = this.paths.get(name);
    if (path === undefined) throw new Error(`Failed to get '${name}' path`); // as Electron does for unknown names
    return path;
  }
  getVersion(): string {
    return '0.1.0';
  }
  setAppLogsPath(path?: string): void {
    this.logsPath = path;
  }
  enableSandbox(): void {
    this.sandboxed = true;
  }
  setAppUserModelId(id: string): void {
    this.appUserModelId = id;
  }
  getAppPath(): string {
    return this.appPath;
  }
  setLoginItemSettings(settings: Settings): void {
    this.loginItems.push(settings);
  }
  getLoginItemSettings(): LoginItemSettings {
    const last = this.loginItems.at(-1);
    return {
      openAtLogin: last?.openAtLogin ?? false,
      wasOpenedAtLogin: this.wasOpenedAtLogin,
      status: 'not-registered',
      executableWillLaunchAtLogin: false,
      launchItems: [],
    } satisfies LoginItemSettings;
  }
  focus(): void {
    this.focused += 1;
  }
  hardwareAccelerationDisabled = false;
  disableHardwareAcceleration(): void {
    if (this.readyCalled) throw new Error('disableHardwareAcceleration after the app is ready'); // as Electron
    this.hardwareAccelerationDisabled = true;
  }
  /** The code of `app.exit()`, once called (Electron ends the process at once, without quit events). */
  exitCode: number | undefined;
  exit(exitCode?: number): void {
    this.exitCode = exitCode ?? 0;
  }
  /** How often the single-instance lock was asked for. */
  lockRequests = 0;
}

export class FakeTray extends FakeEmitter implements TrayIcon {
  image: string;
  tooltip = '';
  menu: FakeMenu | null = null;
  menusSet = 0;
  destroyed = false;

  constructor(image: string) {
    super();
    this.image = image;
  }
  setImage(image: NativeImage | string): void {
    if (typeof image !== 'string') throw new Error('the fake tray takes image paths only');
    this.image = image;
  }
  setToolTip(toolTip: string): void {
    this.tooltip = toolTip;
  }
  setContextMenu(menu: Menu | null): void {
    this.menu = menu as FakeMenu | null; // only FakeMenu.buildFromTemplate makes menus here
    this.menusSet += 1;
  }
  destroy(): void {
    this.destroyed = true;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
}

export class FakeMenu extends FakeEmitter implements Menu {
  items: MenuItem[] = [];
  constructor(readonly template: MenuItemConstructorOptions[]) {
    super();
  }
  static buildFromTemplate(template: Array<MenuItemConstructorOptions | MenuItem>): Menu {
    return new FakeMenu(template as MenuItemConstructorOptions[]); // the app only passes options
  }
  append(): void {}
  closePopup(): void {}
  getMenuItemById(): MenuItem | null {
    return null;
  }
  insert(): void {}
  popup(): void {}

  /** Labels of the top level (separators as '---'). */
  labels(): string[] {
    return this.template.map((i) => (i.type === 'separator' ? '---' : String(i.label)));
  }
  /** The entry with this id, at any depth. */
  find(id: string, items: MenuItemConstructorOptions[] = this.template): MenuItemConstructorOptions | undefined {
    for (const item of items) {
      if (item.id === id) return item;
      const inner = Array.isArray(item.submenu) ? this.find(id, item.submenu) : undefined;
      if (inner) return inner;
    }
    return undefined;
  }
  /** Clicks the entry with this id as a person would (nothing happens for a disabled one). */
  click(id: string): void {
    const item = this.find(id);
    if (!item) throw new Error(`no menu item ${id}`);
    if (item.enabled === false || !item.click) return;
    // Electron passes (menuItem, window, event); the app's handlers take none of them.
    (item.click as () => void)();
  }
}

/** Electron's ClipboardItem (main process): the entries it was made with, kept for the tests to read. */
export class FakeClipboardItem implements ClipboardItem {
  readonly types: string[];
  constructor(readonly entries: Record<string, string | ClipboardBookmark | Blob | Promise<Blob | string>>) {
    this.types = Object.keys(entries);
  }
  getType(type: string): Promise<never> {
    return Promise.reject(new Error(`the fake ClipboardItem is write-only (asked for ${type})`));
  }
}

export class FakeFrame implements FrameFacts {
  constructor(public url: string, readonly processId: number, readonly routingId: number) {}
}

export class FakeWebContents extends FakeEmitter implements AppWindowContents {
  readonly id: number;
  readonly mainFrame: FakeFrame;
  readonly sent: Array<{ channel: string; args: unknown[] }> = [];
  openHandler: ((details: HandlerDetails) => WindowOpenHandlerResponse) | undefined;
  destroyed = false;

  constructor(world: FakeWorld) {
    super();
    this.id = ++world.nextId;
    this.mainFrame = new FakeFrame('about:blank', 100 + this.id, 1);
  }
  send(channel: string, ...args: unknown[]): void {
    this.sent.push({ channel, args });
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  setWindowOpenHandler(handler: (details: HandlerDetails) => WindowOpenHandlerResponse): void {
    this.openHandler = handler;
  }
  /** window.open(url) from the page: what the handler answers. */
  windowOpen(url: string): WindowOpenHandlerResponse {
    if (!this.openHandler) throw new Error('no window open handler');
    return this.openHandler({ url, frameName: '', features: '', disposition: 'new-window', referrer: { url: '', policy: 'default' } });
  }
  /** A navigation event (will-navigate, will-redirect, will-frame-navigate): was it prevented? */
  navigate(event: 'will-navigate' | 'will-redirect' | 'will-frame-navigate', url: string, isMainFrame = true): boolean {
    const e = fakeEvent({ url, isMainFrame });
    this.emit(event, e, url);
    return e.defaultPrevented;
  }
  /** An IPC event from this webContents' main frame (or another frame). */
  ipcEvent(frame: FrameFacts | null = this.mainFrame): SenderFacts {
    return { sender: { id: this.id }, senderFrame: frame };
  }
}

export class FakeBrowserWindow extends FakeEmitter implements AppWindow {
  readonly webContents: FakeWebContents;
  visible = false;
  minimized = false;
  destroyed = false;
  menuRemoved = false;
  focusCount = 0;
  loadedUrl: string | undefined;

  constructor(world: FakeWorld, readonly options: BrowserWindowConstructorOptions) {
    super();
    this.webContents = new FakeWebContents(world);
    world.windows.push(this);
    world.app.emit('web-contents-created', fakeEvent(), this.webContents);
  }
  show(): void {
    const was = this.visible && !this.minimized;
    this.visible = true;
    this.minimized = false;
    if (!was) this.emit('show');
  }
  focus(): void {
    this.focusCount += 1;
  }
  restore(): void {
    if (this.minimized) {
      this.minimized = false;
      this.emit('restore');
    }
  }
  /** The user minimized it (Electron emits `minimize`). */
  minimize(): void {
    this.minimized = true;
    this.emit('minimize');
  }
  isMinimized(): boolean {
    return this.minimized;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  removeMenu(): void {
    this.menuRemoved = true;
  }
  loadURL(url: string): Promise<void> {
    this.loadedUrl = url;
    this.webContents.mainFrame.url = url;
    return Promise.resolve();
  }
  /** The page painted and finished loading. */
  finishLoad(): void {
    this.emit('ready-to-show');
    this.webContents.emit('did-finish-load');
  }
  close(): void {
    this.destroyed = true;
    this.webContents.destroyed = true;
    this.visible = false;
    this.emit('closed');
  }
}

/**
 * A message box on screen: the person clicks a button (`answer`), or its AbortSignal closes it —
 * except, as in Electron, on macOS for a box without a parent window (it runs modally there).
 */
export class FakeMessageBox {
  /** How it closed: a click, or the signal (Electron then answers as if cancelled). */
  closedBy: 'person' | 'signal' | undefined;
  private resolve: ((value: MessageBoxReturnValue) => void) | undefined;
  readonly result: Promise<MessageBoxReturnValue>;

  constructor(readonly options: MessageBoxOptions, private readonly world: FakeWorld, signalCloses: boolean) {
    this.result = new Promise((resolve) => {
      this.resolve = resolve;
    });
    world.openDialogs.push(this);
    const signal = signalCloses ? options.signal : undefined;
    if (signal?.aborted) this.close('signal', options.cancelId ?? 0);
    else signal?.addEventListener('abort', () => this.close('signal', options.cancelId ?? 0), { once: true });
  }
  /** The person clicks the button at `response`. */
  answer(response: number): void {
    this.close('person', response);
  }
  private close(by: 'person' | 'signal', response: number): void {
    if (this.closedBy) return;
    this.closedBy = by;
    this.world.openDialogs.splice(this.world.openDialogs.indexOf(this), 1);
    this.resolve?.({ response, checkboxChecked: false });
  }
}

export class FakeNotification extends FakeEmitter implements ShownNotification {
  shown = false;
  closed = false;
  constructor(readonly options: NotificationConstructorOptions | undefined) {
    super();
  }
  show(): void {
    this.shown = true;
  }
  close(): void {
    this.closed = true;
  }
}

export type IpcListener = (event: SenderFacts, ...args: unknown[]) => Promise<unknown>;

/** The fake Electron for one test: `electron` goes to the app, `world` is for looking at what happened. */
export function createFakeElectron(opts: { appPath: string; platform?: NodeJS.Platform }) {
  // Tests switch the theme; typed so that the literal `false` does not fix it.
  const nativeTheme: { shouldUseDarkColors: boolean } = { shouldUseDarkColors: false };
  const world: FakeWorld = {
    app: new FakeApp(opts.appPath, opts.platform ?? 'linux'),
    windows: [],
    trays: [],
    notifications: [],
    notificationsSupported: true,
    dialogAnswers: [],
    dialogs: [],
    holdDialogs: false,
    openDialogs: [],
    opened: [],
    openedPaths: [],
    openPathProblem: '',
    clipboardText: '',
    clipboardItems: [],
    schemes: [],
    protocolHandlers: new Map(),
    nextId: 0,
  };
  const handlers = new Map<string, IpcListener>();
  const permissions: { request?: Parameters<PermissionSession['setPermissionRequestHandler']>[0]; check?: Parameters<PermissionSession['setPermissionCheckHandler']>[0] } = {};

  const electron = {
    app: world.app,
    BrowserWindow: class extends FakeBrowserWindow {
      constructor(options: BrowserWindowConstructorOptions) {
        super(world, options);
      }
    },
    Tray: class extends FakeTray {
      constructor(image: string) {
        super(image);
        world.trays.push(this);
      }
    },
    Menu: FakeMenu,
    Notification: class extends FakeNotification {
      static isSupported(): boolean {
        return world.notificationsSupported;
      }
      constructor(options?: NotificationConstructorOptions) {
        super(options);
        world.notifications.push(this);
      }
    },
    dialog: {
      showMessageBox(windowOrOptions: BaseWindow | MessageBoxOptions, maybeOptions?: MessageBoxOptions): Promise<MessageBoxReturnValue> {
        const options = maybeOptions ?? (windowOrOptions as MessageBoxOptions);
        world.dialogs.push(options);
        const queued = world.dialogAnswers.shift();
        const parent = maybeOptions !== undefined;
        if (queued === undefined && world.holdDialogs) return new FakeMessageBox(options, world, parent || opts.platform !== 'darwin').result;
        return Promise.resolve({ response: queued ?? options.cancelId ?? 1, checkboxChecked: false });
      },
    },
    ipcMain: {
      handle(channel: string, listener: IpcListener): void {
        if (handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`); // as Electron does
        handlers.set(channel, listener);
      },
      removeHandler(channel: string): void {
        handlers.delete(channel);
      },
    },
    powerMonitor: new FakeEmitter(),
    nativeTheme,
    shell: {
      openExternal(url: string): Promise<void> {
        world.opened.push(url);
        return Promise.resolve();
      },
      // Like Electron: resolves with an error message, '' when the path was opened.
      openPath(path: string): Promise<string> {
        world.openedPaths.push(path);
        return Promise.resolve(world.openPathProblem);
      },
    },
    clipboard: {
      readText: (): Promise<string> => Promise.resolve(world.clipboardText),
      writeText: (text: string): Promise<void> => {
        world.clipboardText = text;
        return Promise.resolve();
      },
      // Like Electron: the entries of one item land together; `text/plain` is what readText sees.
      write: (data: ClipboardItem[]): Promise<void> => {
        for (const item of data) {
          if (!(item instanceof FakeClipboardItem)) return Promise.reject(new TypeError('only ClipboardItems made here can be written'));
          world.clipboardItems.push(item);
          const text = item.entries['text/plain'];
          world.clipboardText = typeof text === 'string' ? text : '';
        }
        return Promise.resolve();
      },
    },
    ClipboardItem: FakeClipboardItem,
    protocol: {
      registerSchemesAsPrivileged(customSchemes: CustomScheme[]): void {
        // Electron allows it only before `ready`; the app's start does it first thing.
        if (world.app.readyCalled) throw new Error('registerSchemesAsPrivileged after the app is ready');
        world.schemes.push(...customSchemes);
      },
      handle(scheme: string, handler: (request: Request) => Response | Promise<Response>): void {
        if (!world.schemes.some((s) => s.scheme === scheme)) throw new Error(`scheme ${scheme} was not registered before ready`);
        world.protocolHandlers.set(scheme, handler);
      },
    },
    session: {
      defaultSession: {
        setPermissionRequestHandler(handler) {
          permissions.request = handler;
        },
        setPermissionCheckHandler(handler) {
          permissions.check = handler;
        },
      } satisfies PermissionSession,
    },
  } satisfies TrayAppElectron;

  const ipc = {
    channels: (): string[] => [...handlers.keys()].sort(),
    /** What the renderer's `ipcRenderer.invoke(channel, ...args)` would get, sent as `event`. */
    invoke(channel: string, event: SenderFacts, ...args: unknown[]): Promise<unknown> {
      const handler = handlers.get(channel);
      if (!handler) return Promise.reject(new Error(`No handler registered for '${channel}'`));
      return handler(event, ...args);
    },
  };
  return { electron, world, ipc, permissions };
}

export type FakeElectron = ReturnType<typeof createFakeElectron>;
