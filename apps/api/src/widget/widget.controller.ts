import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Controller, Get, NotFoundException, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../auth/auth.decorators.js';

/** Repository root: the api runs from it (`npm start`, `npm run demo`, tests). */
const ROOT = process.cwd();
const BUNDLE = resolve(ROOT, 'dist/widget/widget.js');
const DEMO = resolve(ROOT, 'apps/web/demo/shop.html');

/** The embeddable widget bundle and the demo shop page that embeds it. */
@ApiExcludeController()
@Public()
@Controller()
export class WidgetController {
  @Get('widget.js')
  bundle(@Res() response: Response): void {
    if (!existsSync(BUNDLE))
      throw new NotFoundException('The widget bundle is not built; run `npm run build:widget`');
    // Any website may load it (helmet's default would keep it same-origin).
    response.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
    response.setHeader('Cache-Control', 'public, max-age=300');
    response.type('application/javascript').sendFile(BUNDLE);
  }

  @Get('demo/shop.html')
  demo(@Res() response: Response): void {
    response.type('html').sendFile(DEMO);
  }
}
